"""What the dbt project says about itself, read from its yml files: the
columns each public mart promises (its contract) and the raw columns that
hold personal data (`meta.contains_pii` in the sources)."""

from pathlib import Path

import yaml


def _yml_files(project_dir: Path, folder: str):
    return sorted((Path(project_dir) / folder).rglob("*.yml"))


def mart_columns(project_dir: Path) -> dict[str, list[str]]:
    """Public mart → its documented columns, in order (models/marts/**)."""
    marts = {}
    for path in _yml_files(project_dir, "models/marts"):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for model in document.get("models", []):
            marts[model["name"]] = [c["name"] for c in model.get("columns", [])]
    return marts


def personal_data_columns(project_dir: Path) -> set[str]:
    """Raw columns flagged `contains_pii` in the sources' yml."""
    columns = set()
    for path in _yml_files(project_dir, "models/staging"):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for source in document.get("sources", []):
            for table in source.get("tables", []):
                for column in table.get("columns", []):
                    if (column.get("meta") or {}).get("contains_pii"):
                        columns.add(column["name"])
    return columns


def raw_column_types(project_dir: Path) -> dict[str, dict[str, str]]:
    """Raw contract table → column → its contract type (`data_type` in the
    sources' yml: text, date, timestamp, decimal, integer, boolean)."""
    types = {}
    for path in _yml_files(project_dir, "models/staging"):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for source in document.get("sources", []):
            for table in source.get("tables", []):
                types.setdefault(table["name"], {}).update(
                    {c["name"]: c.get("data_type", "text") for c in table.get("columns", [])})
    return types
