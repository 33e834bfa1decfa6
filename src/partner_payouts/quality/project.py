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
    sources' yml: date, timestamp, decimal, integer, boolean; text columns
    carry the `&text` anchor, `varchar` or `string` by engine)."""
    types = {}
    for path in _yml_files(project_dir, "models/staging"):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for source in document.get("sources", []):
            for table in source.get("tables", []):
                types.setdefault(table["name"], {}).update(
                    {c["name"]: c.get("data_type", "text") for c in table.get("columns", [])})
    return types


def disabled_models(project_dir: Path, target_type: str) -> set[str]:
    """Models switched off on an engine (`target.type`): a `+enabled` in
    dbt_project.yml that renders false for it, on the model or on a folder
    above it. None is today: every public mart is SQL built on every engine
    (D70); the mechanism stays for an engine-specific model."""
    import jinja2

    project_dir = Path(project_dir)
    project = yaml.safe_load((project_dir / "dbt_project.yml").read_text(encoding="utf-8"))
    off = []  # config paths (folders and model names) under `models/`

    def walk(config: dict, path: tuple[str, ...]) -> None:
        enabled = config.get("+enabled", True)
        if isinstance(enabled, str):
            enabled = jinja2.Template(enabled).render(
                target={"type": target_type}).strip().lower() == "true"
        if enabled is False:
            off.append(path)
        for name, value in config.items():
            if not name.startswith("+") and isinstance(value, dict):
                walk(value, (*path, name))

    walk((project.get("models") or {}).get(project["name"]) or {}, ())
    names = set()
    for folder in project.get("model-paths", ["models"]):
        for model in (project_dir / folder).rglob("*"):
            if model.suffix not in (".sql", ".py"):
                continue
            parts = (*model.relative_to(project_dir / folder).parent.parts, model.stem)
            if any(parts[:len(path)] == path for path in off):
                names.add(model.stem)
    return names
