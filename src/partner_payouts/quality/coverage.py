"""dbt coverage guard over target/manifest.json (and the built warehouse).

Fails when:
- a model has no description, or no primary-key test (one column with a
  `unique` test that declares a `not_null` constraint checked by the
  model's `not_null_columns` test, both failing the build: severity error,
  no `where` filter, no relaxed `error_if`);
- a public mart (models/marts/) has a column, in the built relation, without
  a description (without a warehouse: a documented column without one), or
  (SQL marts) no enforced contract, or is not `access: public` in a group
  (an owner in dbt docs);
- a seed, or one of its columns (as in its CSV header), has no description;
- a source table does not say whether it is transactional
  (`meta.transactional: true` or `false`), or is transactional without
  freshness thresholds or a `loaded_at_field` / `loaded_at_query`;
- a unit test's name is longer than PostgreSQL's identifiers (63
  characters): dbt names the unit test's relation after it.
"""

import json
from pathlib import Path

import duckdb

PROJECT = "partner_payouts"
POSTGRES_NAME_LIMIT = 63


def _described(node) -> bool:
    return bool((node.get("description") or "").strip())


def _strict(node) -> bool:
    config = node.get("config") or {}
    return (str(config.get("severity") or "error").lower() == "error"
            and not config.get("where")
            and str(config.get("error_if") or "!= 0").replace(" ", "") == "!=0")


def _not_null_columns(node) -> set[str]:
    return {name for name, column in node["columns"].items()
            if any(c.get("type") == "not_null" for c in column.get("constraints") or [])}


def _key_tested_models(manifest) -> set[str]:
    unique, not_null_tested = {}, set()
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test" or not node.get("test_metadata") or not _strict(node):
            continue
        name = node["test_metadata"]["name"]
        model = node.get("attached_node")
        if name == "unique" and node.get("column_name") and model:
            unique.setdefault(model, set()).add(node["column_name"])
        elif name == "not_null_columns" and model:
            not_null_tested.add(model)
    return {model for model, columns in unique.items()
            if model in not_null_tested
            and columns & _not_null_columns(manifest["nodes"][model])}


def _relation_columns(warehouse, schema, name):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return [r[0] for r in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, name]).fetchall()]


def check(manifest_path: Path, warehouse: Path | None = None) -> list[str]:
    manifest = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
    problems = []
    keyed = _key_tested_models(manifest)
    models = [n for n in manifest["nodes"].values()
              if n["resource_type"] == "model" and n["package_name"] == PROJECT]
    for node in sorted(models, key=lambda n: n["name"]):
        if not _described(node):
            problems.append(f"model {node['name']}: no description")
        if node["unique_id"] not in keyed:
            problems.append(f"model {node['name']}: no primary-key test "
                            "(a column tested unique that declares a not_null constraint, "
                            "and the model's not_null_columns test)")
        if not node["original_file_path"].startswith("models/marts/"):
            continue
        contract = (node.get("config") or {}).get("contract") or {}
        if node.get("language", "sql") == "sql" and not contract.get("enforced"):
            problems.append(f"mart {node['name']}: no enforced contract")
        if node.get("access") != "public" or not node.get("group"):
            problems.append(f"mart {node['name']}: not `access: public` in an owned group")
        documented = {name: _described(col) for name, col in node["columns"].items()}
        if warehouse is not None and Path(warehouse).exists():
            present = _relation_columns(warehouse, node["schema"], node["alias"] or node["name"])
            if not present:
                problems.append(f"mart {node['name']}: not built in {warehouse}")
        else:
            present = list(documented)
        for column in present:
            if not documented.get(column):
                problems.append(f"mart {node['name']}: column {column} has no description")
    for node in sorted((n for n in manifest["nodes"].values()
                        if n["resource_type"] == "seed" and n["package_name"] == PROJECT),
                       key=lambda n: n["name"]):
        if not _described(node):
            problems.append(f"seed {node['name']}: no description")
        csv_path = Path(node.get("root_path") or ".") / node["original_file_path"]
        header = (csv_path.read_text(encoding="utf-8").splitlines() or [""])[0].split(",") \
            if csv_path.exists() else list(node["columns"])
        for name in header:
            if not _described(node["columns"].get(name.strip(), {})):
                problems.append(f"seed {node['name']}: column {name.strip()} has no description")
    transactional = 0
    for source in sorted(manifest["sources"].values(), key=lambda s: s["unique_id"]):
        if source["package_name"] != PROJECT:
            continue
        label = f"source {source['source_name']}.{source['name']}"
        declared = (source.get("meta") or {}).get("transactional")
        if not isinstance(declared, bool):
            problems.append(f"{label}: meta.transactional is not set to true or false")
            continue
        if not declared:
            continue
        transactional += 1
        freshness = source.get("freshness") or {}
        if not any((freshness.get(kind) or {}).get("count")
                   for kind in ("warn_after", "error_after")):
            problems.append(f"{label}: transactional but no freshness thresholds")
        config = source.get("config") or {}
        if not (source.get("loaded_at_field") or source.get("loaded_at_query")
                or config.get("loaded_at_field") or config.get("loaded_at_query")):
            problems.append(f"{label}: transactional but no loaded_at_field / loaded_at_query")
    if transactional == 0:
        problems.append("no source is marked meta.transactional")
    for test in sorted(manifest.get("unit_tests", {}).values(), key=lambda t: t["name"]):
        if test["package_name"] == PROJECT and len(test["name"]) > POSTGRES_NAME_LIMIT:
            problems.append(f"unit test {test['name']}: name longer than "
                            f"{POSTGRES_NAME_LIMIT} characters (PostgreSQL cannot build it)")
    return problems
