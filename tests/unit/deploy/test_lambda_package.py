"""What `sam build` packages for the functions: their own code only, no operator tooling."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

from localcloud.template.loader import load_template

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


def test_every_function_takes_its_dependencies_from_the_one_layer() -> None:
    template = load_template(REPO / "template.yaml")
    layers = {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::LayerVersion"
    }
    function_globals = template["Globals"]["Function"]

    assert list(layers) == ["DependenciesLayer"]
    assert function_globals["Layers"] == [{"Ref": "DependenciesLayer"}]
    layer = layers["DependenciesLayer"]
    # sam build installs the layer's requirements for the functions' runtime and architecture.
    assert layer["Metadata"] == {"BuildMethod": function_globals["Runtime"], "BuildArchitecture": "arm64"}
    assert function_globals["Architectures"] == ["arm64"]
    assert (REPO / layer["Properties"]["ContentUri"] / "requirements.txt").is_file()
    functions = [r for r in template["Resources"].values() if r["Type"] == "AWS::Serverless::Function"]
    assert functions and all("Layers" not in f.get("Properties", {}) for f in functions)


def test_the_functions_code_folder_holds_only_their_code() -> None:
    code_uri = REPO / load_template(REPO / "template.yaml")["Globals"]["Function"]["CodeUri"]

    assert sorted(p.name for p in code_uri.iterdir() if p.name != "__pycache__") == ["trainbook"]


def test_the_layer_installs_every_runtime_dependency_of_the_package() -> None:
    """The local cloud runs functions from the venv (pyproject's dependencies); AWS from the layer."""
    declared = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    lines = (REPO / "layers" / "dependencies" / "requirements.txt").read_text(encoding="utf-8").splitlines()
    layer = {line.split("#")[0].strip() for line in lines} - {""}

    assert set(declared) <= layer
