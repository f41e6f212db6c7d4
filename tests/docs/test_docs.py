"""Docs that cannot drift: the CLI reference matches the commands, the README keeps its promises."""

from __future__ import annotations

import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_cli_reference_is_up_to_date() -> None:
    spec = importlib.util.spec_from_file_location(
        "gen_cli_reference", REPO / "docs" / "gen_cli_reference.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = module.render()
    actual = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert actual == expected, (
        "docs/cli.md is stale: run `make docs` (python docs/gen_cli_reference.py > docs/cli.md)"
    )


def test_readme_gives_the_two_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme


def test_every_cli_command_has_an_example() -> None:
    text = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    for block in text.split("## `")[1:]:
        title = block.split("`", 1)[0]
        groups = (
            "diplocode",
            "diplocode db",
            "diplocode codebook",
            "diplocode audit",
            "diplocode user",
            "diplocode actors",
            "diplocode source",
        )
        if title in (*groups, "diplocode db status", "diplocode db upgrade"):
            continue
        assert "Example:" in block, f"{title} has no Example: in its docstring"
