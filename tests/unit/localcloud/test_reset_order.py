"""`--reset` translates the template before it deletes anything, when there is anything to delete."""

from __future__ import annotations

from pathlib import Path

import pytest

from localcloud.cloud import LocalCloud, Options, holds_data
from localcloud.owner import OWNER_LOCK
from localcloud.template.errors import TemplateError
from localcloud.template.translate import TRANSLATION_CACHE


def test_a_reset_with_a_broken_template_deletes_nothing_and_starts_no_engine(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "journal.sqlite3").write_text("what was acknowledged")
    template = tmp_path / "template.yaml"
    template.write_text("Resources: [unclosed\n")
    cloud = LocalCloud(Options(template=template, data_dir=data, reset=True))

    with pytest.raises(TemplateError):
        cloud.launch()

    assert (data / "journal.sqlite3").read_text() == "what was acknowledged"
    assert cloud.engine is None and cloud.lock is None


def test_only_a_data_dir_with_more_than_its_lock_and_translation_cacheholds_data(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert not holds_data(data)  # not made yet: a first start
    data.mkdir()
    (data / OWNER_LOCK).write_text("1")
    (data / TRANSLATION_CACHE).write_text("{}")
    assert not holds_data(data)
    (data / "engine.log").write_text("")
    assert holds_data(data)
