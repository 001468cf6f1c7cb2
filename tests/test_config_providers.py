"""providers.toml: validation, clear problems, secrets and permissions, adding a profile."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest

from tui.core.atomic import backup_path
from tui.core.problems import ERROR, WARNING, ConfigError, ConfigProblem, KeyLines
from tui.core.providers_config import ProviderConfig, load_providers, parse_providers
from tui.core.providers_write import add_provider, render_provider


@pytest.fixture(autouse=True)
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TASKDECK_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("TASKDECK_STATE_DIR", str(tmp_path / "state"))
    return tmp_path


GOOD = """\
# my providers
[providers.acme]                  # the profile's name
kind = "smint"
base_url = "https://acme.portalsapife.smint.io/frontend/v1"
interval = 5
auth = { type = "bearer", token_env = "SMINT_TOKEN" }

[providers.kafka-eu]
kind = "huawei-dms"
base_url = "https://dms.eu-west-101.myhuaweicloud.eu"
project_id = "0123456789abcdef0123456789abcdef"
auth = { type = "aksk", access_key_env = "HWC_AK", secret_key_env = "HWC_SK" }

[providers.gateway]
kind = "huawei-apig"
base_url = "https://apig.eu-west-101.myhuaweicloud.eu"
project_id = "0123456789abcdef0123456789abcdef"
transport = "httpx"
concurrency = 4
timeout_connect = 2
timeout_read = 10.5
bell = true
ca_bundle = "/nonexistent/corp.pem"
auth = { type = "token", token_command = ["pass", "show", "hwc"] }

[keymap]
refresh = "ctrl+r"

[ui]
bell = true
"""


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    return path


def by_key(problems: list[ConfigProblem], key: str) -> ConfigProblem:
    found = [p for p in problems if p.key == key]
    assert found, f"no problem for {key}: {[str(p) for p in problems]}"
    return found[0]


def test_good_file(tmp_path: Path) -> None:
    config, problems = load_providers(write(tmp_path / "providers.toml", GOOD))
    assert set(config.providers) == {"acme", "kafka-eu", "gateway"}
    acme = config.providers["acme"]
    assert acme == ProviderConfig(
        name="acme",
        kind="smint",
        base_url="https://acme.portalsapife.smint.io/frontend/v1",
        interval=5.0,
        auth={"type": "bearer", "token_env": "SMINT_TOKEN"},
    )
    assert acme.auth_type == "bearer" and not acme.needs_instance
    gateway = config.providers["gateway"]
    assert (gateway.transport, gateway.concurrency, gateway.timeout_connect, gateway.timeout_read) == (
        "httpx", 4, 2.0, 10.5)
    assert gateway.bell is True and gateway.needs_instance
    assert config.keymap == {"refresh": "ctrl+r"}
    assert config.ui == {"bell": True}
    # Only the missing CA bundle is worth a word.
    assert [(p.key, p.severity) for p in problems] == [("providers.gateway.ca_bundle", WARNING)]


def test_missing_file_is_empty_not_a_problem(tmp_path: Path) -> None:
    config, problems = load_providers(tmp_path / "nope.toml")
    assert config.providers == {} and problems == [] and config.parsed


def test_auth_defaults_to_none(tmp_path: Path) -> None:
    config, problems = parse_providers('[providers.a]\nkind = "smint"\nbase_url = "http://127.0.0.1:1"\n')
    assert config.providers["a"].auth == {"type": "none"} and problems == []


def test_syntax_error_names_line_and_suggests(tmp_path: Path) -> None:
    text = '[providers.acme]\nkind = smint\nbase_url = "https://x"\n'
    config, problems = load_providers(write(tmp_path / "providers.toml", text))
    assert not config.parsed and config.providers == {}
    [problem] = problems
    assert problem.line == 2 and problem.key == "kind" and problem.is_error
    assert 'kind = "smint"' in problem.suggestion
    assert str(problem).startswith("providers.toml:2: kind: TOML syntax error")


def test_interval_is_clamped_with_a_message() -> None:
    text = '[providers.a]\nkind = "smint"\nbase_url = "https://x"\ninterval = 0.2\n'
    config, problems = parse_providers(text, Path("providers.toml"))
    assert config.providers["a"].interval == 1.0
    problem = by_key(problems, "providers.a.interval")
    assert problem.severity == WARNING and problem.line == 4
    assert "minimum of 1 s; using 1 s" in problem.message


def test_wrong_types_and_unknown_keys() -> None:
    text = """\
[providers.a]
kind = "smint"
base_url = "https://x"
intervall = 3
interval = "fast"
concurrency = 2.5
"""
    config, problems = parse_providers(text, Path("providers.toml"))
    a = config.providers["a"]
    assert a.extra == {"intervall": 3}
    assert a.interval == 5.0 and a.concurrency == 16
    unknown = by_key(problems, "providers.a.intervall")
    assert unknown.line == 4 and "did you mean 'interval'?" in unknown.suggestion
    assert by_key(problems, "providers.a.interval").line == 5
    assert by_key(problems, "providers.a.concurrency").line == 6


def test_unusable_profiles_are_broken_not_dropped_silently() -> None:
    text = """\
[providers.nokind]
base_url = "https://x"

[providers.typo]
kind = "smnt"
base_url = "https://x"

[providers.noproject]
kind = "huawei-dms"
base_url = "https://x"

[providers.badauth]
kind = "smint"
base_url = "https://x"
auth = { type = "aksk", access_key_env = "A", secret_key_env = "B" }

[providers.noenv]
kind = "smint"
base_url = "ftp://x"
auth = { type = "bearer" }
"""
    config, problems = parse_providers(text, Path("providers.toml"))
    assert config.providers == {}
    assert config.broken == {"nokind", "typo", "noproject", "badauth", "noenv"}
    assert config.names == config.broken
    assert by_key(problems, "providers.nokind.kind").line == 1
    typo = by_key(problems, "providers.typo.kind")
    assert typo.line == 5 and "did you mean 'smint'?" in typo.suggestion
    assert "project_id" in by_key(problems, "providers.noproject.project_id").suggestion
    assert "does not apply to smint" in by_key(problems, "providers.badauth.auth.type").message
    assert "token_env" in by_key(problems, "providers.noenv.auth").message
    assert by_key(problems, "providers.noenv.base_url").line == 19


def test_unknown_kind_does_not_end_in_an_empty_list_of_auth_types() -> None:
    text = '[providers.a]\nkind = "smnt"\nbase_url = "https://x"\nauth = { type = "bearer", token_env = "T" }\n'
    config, problems = parse_providers(text, Path("providers.toml"))
    assert config.broken == {"a"}
    kind = by_key(problems, "providers.a.kind")
    assert "did you mean 'smint'?" in kind.suggestion
    for problem in problems:
        text = str(problem)
        assert not text.rstrip().endswith("use one of"), text
        assert "does not apply to smnt" not in text


def test_unknown_auth_key_makes_the_profile_unusable() -> None:
    text = '[providers.a]\nkind = "smint"\nbase_url = "https://x"\nauth = { type = "bearer", tokn_env = "T" }\n'
    config, problems = parse_providers(text, Path("providers.toml"))
    assert "a" in config.broken
    problem = by_key(problems, "providers.a.auth.tokn_env")
    assert problem.is_error and "did you mean 'token_env'?" in problem.suggestion


def test_top_level_tables() -> None:
    text = '[keymap]\nquit = "q"\nbad = 3\n\n[settings]\nx = 1\n\n[future]\ny = 2\n'
    config, problems = parse_providers(text, Path("providers.toml"))
    assert config.keymap == {"quit": "q"}
    assert config.settings == {"x": 1}
    assert config.extra == {"future": {"y": 2}}
    assert by_key(problems, "keymap.bad").line == 3
    assert by_key(problems, "future").severity == WARNING


# --- secrets and permissions ---------------------------------------------------------------------------

INLINE = '[providers.acme]\nkind = "smint"\nbase_url = "https://x"\nauth = { type = "bearer", token = "s3cret" }\n'


def test_inline_secret_refused_when_others_can_read(tmp_path: Path) -> None:
    path = write(tmp_path / "providers.toml", INLINE, mode=0o644)
    config, problems = load_providers(path)
    assert "acme" in config.broken and "acme" not in config.providers
    problem = by_key(problems, "providers.acme.auth.token")
    assert problem.is_error and problem.line == 4
    assert "0644" in problem.message
    assert f"chmod 600 {path}" in problem.suggestion and "token_env" in problem.suggestion
    # The secret itself is never repeated in a message.
    assert all("s3cret" not in str(p) for p in problems)


def test_inline_secret_refused_when_group_readable(tmp_path: Path) -> None:
    config, _ = load_providers(write(tmp_path / "providers.toml", INLINE, mode=0o640))
    assert "acme" in config.broken


def test_inline_secret_accepted_when_owner_only(tmp_path: Path) -> None:
    config, problems = load_providers(write(tmp_path / "providers.toml", INLINE, mode=0o600))
    assert problems == []
    assert config.providers["acme"].auth == {"type": "bearer", "token": "s3cret"}


def test_env_forms_do_not_care_about_permissions(tmp_path: Path) -> None:
    config, problems = load_providers(write(tmp_path / "providers.toml", GOOD, mode=0o644))
    assert set(config.providers) == {"acme", "kafka-eu", "gateway"}
    assert all(not p.is_error for p in problems)


# --- adding a profile -------------------------------------------------------------------------------------


def new_profile(name: str = "new", **auth: str) -> ProviderConfig:
    return ProviderConfig(
        name=name,
        kind="smint",
        base_url="https://new.portalsapife.smint.io/frontend/v1",
        interval=10,
        auth={"type": "bearer", "token_env": "NEW_TOKEN", **auth},
    )


def test_add_provider_appends_and_keeps_the_rest_byte_for_byte(tmp_path: Path) -> None:
    path = write(tmp_path / "providers.toml", GOOD, mode=0o644)
    message = add_provider(path, new_profile())
    text = path.read_text()
    assert text.startswith(GOOD)  # comments and layout untouched
    assert "rewrote" in message and str(path) in message and "providers.toml.bak" in message
    assert backup_path(path).read_text() == GOOD
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644
    config, problems = load_providers(path)
    assert config.providers["new"] == new_profile()
    assert tomllib.loads(text)["providers"]["new"]["auth"] == {"type": "bearer", "token_env": "NEW_TOKEN"}


def test_add_provider_creates_a_private_file(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "providers.toml"
    add_provider(path, new_profile())
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert load_providers(path)[0].providers["new"] == new_profile()


def test_add_provider_never_writes_a_secret(tmp_path: Path) -> None:
    path = write(tmp_path / "providers.toml", GOOD)
    with pytest.raises(ConfigError, match="does not write secrets"):
        add_provider(path, new_profile(token="s3cret"))
    assert path.read_text() == GOOD


def test_add_provider_refuses_duplicates_and_broken_files(tmp_path: Path) -> None:
    path = write(tmp_path / "providers.toml", GOOD)
    with pytest.raises(ConfigError, match="already exists"):
        add_provider(path, new_profile("acme"))
    broken = write(tmp_path / "broken.toml", "[providers.acme\n")
    with pytest.raises(ConfigError, match="leaves it alone"):
        add_provider(broken, new_profile())
    assert broken.read_text() == "[providers.acme\n"


def test_render_keeps_unknown_keys_and_quotes_odd_names() -> None:
    config = ProviderConfig(name="odd name", kind="smint", base_url="https://x", extra={"future": 1})
    text = render_provider(config)
    assert text.splitlines()[0] == '[providers."odd name"]'
    parsed, problems = parse_providers(text)
    assert parsed.providers["odd name"].extra == {"future": 1}


# --- problem formatting and line finding ----------------------------------------------------------------


def test_problem_str_format() -> None:
    problem = ConfigProblem(Path("/x/watchlists.toml"), 12, "watchlist[0].task[3].provider",
                            "unknown provider 'acme2'",
                            "did you mean 'acme'? (add [providers.acme2] to providers.toml or fix the name)", ERROR)
    assert str(problem) == (
        "watchlists.toml:12: watchlist[0].task[3].provider: unknown provider 'acme2' — did you mean 'acme'? "
        "(add [providers.acme2] to providers.toml or fix the name)"
    )
    assert problem.describe().startswith("error: /x/watchlists.toml:12:")


def test_key_lines_cover_tables_arrays_and_inline_forms() -> None:
    text = """\
version = 1
[[watchlist]]
name = "A"
[[watchlist.task]]
provider = "p"
id = "1"
[[watchlist.task]]
provider = "q"
[[watchlist]]
name = "B"
task = [
    { provider = "r", id = "2" },
    { provider = "s", id = "3" },
]
[providers."odd.name"]
kind = "smint"
multi = \"\"\"
kind = "not a key"
\"\"\"
after = 1
"""
    lines = KeyLines(text)
    assert lines.line_of("version") == 1
    assert lines.line_of("watchlist[0].name") == 3
    assert lines.line_of("watchlist[0].task[1].provider") == 8
    assert lines.line_of("watchlist[0].task[1].id") == 7  # missing key: the table's header
    assert lines.line_of("watchlist[1].task[1].provider") == 13
    assert lines.line_of("watchlist[1].task[0]") == 12
    assert lines.line_of('providers."odd.name".kind') == 16
    assert lines.line_of('providers."odd.name".after') == 20
    assert lines.line_of("nothing.here") is None
