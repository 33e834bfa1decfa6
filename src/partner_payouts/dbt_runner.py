"""Run a dbt command of this project in-process and turn a failure into the
one line a user can act on (the project's own error text, without dbt's
macro stack)."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]


class DbtCommandError(Exception):
    """A dbt command of the project failed; str() is the first useful line."""


def first_error_line(message: str) -> str:
    """The line of a dbt error that says what is wrong: the first line that
    is not dbt's framing ("Encountered an error ...", "Compilation Error in
    ...", the "> in macro" stack)."""
    lines = [line.strip() for line in message.splitlines()]
    framing = ("Encountered an error", "Compilation Error", "Database Error",
               "Runtime Error", ">")
    useful = [line for line in lines if line and not line.startswith(framing)]
    if useful:
        return useful[0]
    # dbt's one-line form: "Encountered an error while running operation: <text>"
    return lines[0].split(": ", 1)[-1] if lines else message


def run_dbt(args: list[str], env: dict[str, str], workdir: Path,
            project_dir: Path = PROJECT_DIR) -> str:
    """Run `dbt <args>` on the project with `env` set, in its own process (so
    that no connection outlives it); return its output, or raise
    DbtCommandError with the line that says what is wrong."""
    import subprocess
    import sys

    dbt = Path(sys.executable).with_name("dbt")
    command = [str(dbt), *args, "--project-dir", str(project_dir),
               "--profiles-dir", str(project_dir / "profiles"),
               "--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs")]
    result = subprocess.run(
        command, cwd=project_dir, capture_output=True, text=True,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "False", **env})
    output = result.stdout + result.stderr
    if result.returncode != 0:
        # dbt's log lines start with a time stamp; the error follows "Encountered an error".
        text = output.split("Encountered an error", 1)[-1]
        plain = "\n".join(line.split("  ", 1)[-1] if line[:2].isdigit() else line
                          for line in text.splitlines())
        raise DbtCommandError(first_error_line("Encountered an error" + plain))
    return output
