"""The Python copy of the raw contract agrees with the dbt sources."""

import yaml

from conftest import REPO
from partner_payouts.raw_contract import RAW_TABLES


def test_python_contract_matches_dbt_sources():
    tables = {}
    for path in (REPO / "models" / "staging").glob("*/_*__sources.yml"):
        for source in yaml.safe_load(path.read_text())["sources"]:
            if not (source.get("meta") or {}).get("contract", True):
                continue  # the reader's own tables (malformed lines, files read)
            for table in source["tables"]:
                tables[table["name"]] = tuple(c["name"] for c in table["columns"])
    assert tables == RAW_TABLES
    assert len(tables) == 13
