"""The translated template is remembered in the data dir, keyed by everything its result depends on."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from localcloud.template import translate as translation
from localcloud.template.loader import load_template

FIXTURE = Path(__file__).parents[2] / "integration" / "localcloud" / "fixtures" / "app" / "template.yaml"


@pytest.fixture
def translations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The regions the real translator was called for."""
    calls: list[str] = []
    real = translation.translate

    def counted(template: dict[str, Any], region: str) -> dict[str, Any]:
        calls.append(region)
        return real(template, region)

    monkeypatch.setattr(translation, "translate", counted)
    return calls


def test_a_second_start_reuses_the_translation_and_gets_the_same_template(
    tmp_path: Path, translations: list[str]
) -> None:
    document = load_template(FIXTURE)
    first = translation.translate_cached(document, "eu-central-1", tmp_path)
    second = translation.translate_cached(load_template(FIXTURE), "eu-central-1", tmp_path)

    assert second == first == translation.translate(copy.deepcopy(document), "eu-central-1")
    assert translations == ["eu-central-1", "eu-central-1"]  # the start, then the comparison above


def test_a_changed_template_or_region_is_translated_again(tmp_path: Path, translations: list[str]) -> None:
    document = load_template(FIXTURE)
    translation.translate_cached(document, "eu-central-1", tmp_path)
    changed = copy.deepcopy(document)
    changed["Resources"].popitem()

    assert translation.translate_cached(changed, "eu-central-1", tmp_path) == translation.translate(
        copy.deepcopy(changed), "eu-central-1"
    )
    translation.translate_cached(changed, "eu-west-1", tmp_path)
    assert translations == ["eu-central-1", "eu-central-1", "eu-central-1", "eu-west-1"]


def test_without_a_data_dir_or_with_a_broken_cache_it_translates(
    tmp_path: Path, translations: list[str]
) -> None:
    document = load_template(FIXTURE)
    translation.translate_cached(document, "eu-central-1", None)
    (tmp_path / translation.TRANSLATION_CACHE).write_text("{not json")
    translation.translate_cached(document, "eu-central-1", tmp_path)

    assert translations == ["eu-central-1", "eu-central-1"]
