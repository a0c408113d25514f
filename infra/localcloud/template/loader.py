"""Reads template.yaml, including CloudFormation's short-form tags (!Ref, !GetAtt, !Sub, ...)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from localcloud.template.errors import TemplateError

# libyaml's parser when PyYAML was built with it: the pure-Python one took 0.3-0.5 s of every start.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _CloudFormationLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """SafeLoader that turns `!Tag value` into `{"Fn::Tag": value}` (`!Ref` into `{"Ref": ...}`)."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else "Condition" if suffix == "Condition" else f"Fn::{suffix}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_CloudFormationLoader.add_multi_constructor("!", _intrinsic)


def load_template(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TemplateError(f"{path}: no such template (pass --template PATH)") from None
    try:
        document = yaml.load(text, Loader=_CloudFormationLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or error
        raise TemplateError(f"{path}{where}: invalid YAML ({problem}); fix the template") from None
    if not isinstance(document, dict) or not isinstance(document.get("Resources"), dict):
        raise TemplateError(f"{path}: no Resources section; is this a SAM/CloudFormation template?")
    return document
