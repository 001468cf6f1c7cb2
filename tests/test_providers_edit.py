"""Editing and removing a profile keeps the rest of providers.toml byte for byte, comments included."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.core.problems import ConfigError
from tui.core.providers_edit import remove_provider, update_provider

TEXT = """\
# my providers  (a comment about the file)
[providers.acme]  # the portal
kind = "smint"   # always smint
base_url = "https://acme.example/frontend/v1"
auth = { type = "bearer", token_env = "ACME" }

# the queue below is the EU one
[providers.kafka]
kind = "huawei-dms"
region = "eu-west-101"
auth = { type = "aksk" }

[providers.kafka.notes]
owner = "ops"

[ui]
bell = true   # ring
"""


@pytest.fixture
def path(tmp_path: Path) -> Path:
    target = tmp_path / "providers.toml"
    target.write_text(TEXT)
    return target


def test_update_touches_only_the_profile(path: Path) -> None:
    update_provider(path, "kafka", {"project_id": "0123", "interval": 10})
    text = path.read_text()
    assert text.replace('project_id = "0123"\ninterval = 10\n', "") == TEXT
    assert (path.parent / "providers.toml.bak").read_text() == TEXT


def test_update_refuses_secrets(path: Path) -> None:
    with pytest.raises(ConfigError, match="does not write secrets"):
        update_provider(path, "acme", {"auth": {"type": "bearer", "token": "x"}})
    assert path.read_text() == TEXT


def test_remove_keeps_comments_and_other_tables(path: Path) -> None:
    remove_provider(path, "kafka")
    assert path.read_text() == TEXT.split("[providers.kafka]\n")[0] + "[ui]\nbell = true   # ring\n"


def test_remove_first_profile_keeps_the_file_comment(path: Path) -> None:
    remove_provider(path, "acme")
    assert path.read_text() == "# my providers  (a comment about the file)\n" + TEXT.split("\n\n", 1)[1]


def test_unknown_profile_and_broken_file_are_left_alone(path: Path) -> None:
    with pytest.raises(ConfigError, match="no profile"):
        remove_provider(path, "nothere")
    path.write_text("[providers.a\n")
    with pytest.raises(ConfigError, match="leaves it alone"):
        update_provider(path, "a", {"x": 1})
    assert path.read_text() == "[providers.a\n"
