"""Write the CLI reference (docs/cli.md) from the commands' own --help.

Run ``python docs/gen_cli_reference.py > docs/cli.md``; a test fails when the file and
the code disagree, so the reference cannot drift.
"""

from __future__ import annotations

import sys

import typer
import typer.main
from typer.testing import CliRunner

from diplocode.cli import app


def _commands(group: object, prefix: list[str]) -> list[list[str]]:
    out = []
    subcommands = getattr(group, "commands", {})
    for name in sorted(subcommands):
        out.append([*prefix, name])
        out.extend(_commands(subcommands[name], [*prefix, name]))
    return out


def render() -> str:
    runner = CliRunner()
    root = typer.main.get_command(app)
    parts = [
        "# diplocode command reference",
        "",
        "Generated from `--help` by `docs/gen_cli_reference.py`; do not edit by hand.",
        "",
    ]
    for path in [[], *_commands(root, [])]:
        result = runner.invoke(
            app, [*path, "--help"], env={"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}
        )
        title = " ".join(["diplocode", *path])
        body = "\n".join(line.rstrip() for line in result.output.strip().splitlines())
        parts += [f"## `{title}`", "", "```text", body, "```", ""]
    return "\n".join(parts)


if __name__ == "__main__":
    sys.stdout.write(render())
