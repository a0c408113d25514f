"""What `sam build` packages for the functions: their own code only, no operator tooling."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
FUNCTIONS = REPO / "functions"

# Packages that run on an operator's machine (CLI, local cloud, scraper, timetable files), never in Lambda.
TOOLING = {"timetable_file", "timetable_scraper", "trainbook_cli", "localcloud", "fixture_site"}


def imported_top_level_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_no_function_module_imports_operator_tooling() -> None:
    offending = {
        str(path.relative_to(REPO)): sorted(imported_top_level_modules(path) & TOOLING)
        for path in FUNCTIONS.rglob("*.py")
    }

    assert {path: names for path, names in offending.items() if names} == {}


def test_the_timetable_file_tooling_is_not_in_the_functions_package() -> None:
    assert not list(FUNCTIONS.rglob("timetable_file*"))
