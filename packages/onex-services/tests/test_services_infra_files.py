"""The backends' files are found in the wheel's copy, a checkout, or ONEX_INFRA_DIR."""

from __future__ import annotations

from pathlib import Path

import pytest
from onex_services import templates
from onex_services.errors import BackendUnavailableError
from onex_services.infra_files import infra_root

pytestmark = pytest.mark.unit


def test_a_checkout_finds_its_infra_folder() -> None:
    root = infra_root()
    assert (root / "images" / "kafka" / "Dockerfile").is_file()
    assert templates.infra_dir() == root / "process"


def test_onex_infra_dir_must_hold_every_backends_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "process").mkdir()
    monkeypatch.setenv("ONEX_INFRA_DIR", str(tmp_path))
    with pytest.raises(BackendUnavailableError, match="does not hold the backends' files") as info:
        infra_root()
    assert "expected the folders process, images" in str(info.value)
    (tmp_path / "images").mkdir()
    assert infra_root() == tmp_path
