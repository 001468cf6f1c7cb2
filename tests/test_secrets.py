"""Secret resolution (env, command, inline), the Secret wrapper, and redaction."""

from __future__ import annotations

import copy
import io
import logging
import pickle
import sys

import pytest

from tui.core.secrets import (
    RedactingFilter,
    Secret,
    SecretError,
    redact,
    redact_values,
    register_secret,
    resolve_secret,
)

PY = sys.executable


# ---------------------------------------------------------------- Secret


def test_secret_never_shows_its_value() -> None:
    s = Secret("s3cret-value-1")
    assert s.reveal() == "s3cret-value-1"
    for text in (repr(s), str(s), f"{s}", f"{s!r}", f"{s:>30}", repr([s]), repr({"k": s})):
        assert "s3cret" not in text
        assert "***" in text
    assert repr(s) == "Secret('***')"


def test_secret_refuses_pickle_and_copies_are_itself() -> None:
    s = Secret("s3cret-value-2")
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(s)
    with pytest.raises(TypeError):
        pickle.dumps({"auth": [s]})
    assert copy.copy(s) is s
    assert copy.deepcopy({"a": s})["a"] is s


def test_secret_equality_and_truth() -> None:
    assert Secret("abcd1234") == Secret("abcd1234")
    assert Secret("abcd1234") != Secret("abcd12345")
    assert Secret("abcd1234") != "abcd1234"
    assert len({Secret("abcd1234"), Secret("abcd1234")}) == 1
    assert not Secret("", register=False)
    assert Secret(Secret("wrapped-twice")).reveal() == "wrapped-twice"
    with pytest.raises(TypeError):
        Secret(1234)  # type: ignore[arg-type]


# ---------------------------------------------------------------- resolve_secret


def test_resolve_from_env() -> None:
    secret = resolve_secret({"token_env": "MY_TOKEN"}, "token", env={"MY_TOKEN": " tok-from-env \n"})
    assert secret is not None and secret.reveal() == "tok-from-env"


def test_resolve_from_process_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TASKDECK_TEST_TOKEN", "tok-process-env")
    secret = resolve_secret({"token_env": "TASKDECK_TEST_TOKEN"}, "token")
    assert secret is not None and secret.reveal() == "tok-process-env"


def test_env_missing_or_empty_names_the_variable() -> None:
    with pytest.raises(SecretError, match="environment variable MY_TOKEN is not set") as err:
        resolve_secret({"token_env": "MY_TOKEN"}, "token", env={})
    assert err.value.field == "token"
    with pytest.raises(SecretError, match="MY_TOKEN is empty"):
        resolve_secret({"token_env": "MY_TOKEN"}, "token", env={"MY_TOKEN": "  "})
    with pytest.raises(SecretError, match="name of an environment variable"):
        resolve_secret({"token_env": 42}, "token", env={})


def test_resolve_from_argv_command() -> None:
    spec = {"password_command": [PY, "-c", "print('  pw-from-argv  ')"]}
    secret = resolve_secret(spec, "password")
    assert secret is not None and secret.reveal() == "pw-from-argv"


def test_argv_command_uses_no_shell(tmp_path) -> None:
    marker = tmp_path / "marker"
    spec = {"password_command": [PY, "-c", "import sys; print(sys.argv[1])", f"x; touch {marker}"]}
    secret = resolve_secret(spec, "password")
    assert secret is not None and secret.reveal() == f"x; touch {marker}"
    assert not marker.exists()


def test_resolve_from_shell_command() -> None:
    secret = resolve_secret({"password_command": "printf 'pw-%s' from-shell | tr a-z A-Z"}, "password")
    assert secret is not None and secret.reveal() == "PW-FROM-SHELL"


def test_failing_command_reports_status_and_redacted_stderr() -> None:
    register_secret("known-secret-value")
    script = (
        "import sys; print('stdout-secret-value'); "
        "print('denied for known-secret-value near stdout-secret-value', file=sys.stderr); sys.exit(3)"
    )
    with pytest.raises(SecretError) as err:
        resolve_secret({"token_command": [PY, "-c", script]}, "token")
    text = str(err.value)
    assert "exit status 3" in text
    assert "token_command" in text
    assert "denied for" in text
    assert "known-secret-value" not in text
    assert "stdout-secret-value" not in text


def test_command_that_prints_nothing_or_cannot_run() -> None:
    with pytest.raises(SecretError, match="printed nothing"):
        resolve_secret({"token_command": [PY, "-c", "pass"]}, "token")
    with pytest.raises(SecretError, match="could not be run"):
        resolve_secret({"token_command": ["/nonexistent/taskdeck-helper"]}, "token")
    with pytest.raises(SecretError, match="must be a string or a non-empty list"):
        resolve_secret({"token_command": []}, "token")
    with pytest.raises(SecretError, match="is empty"):
        resolve_secret({"token_command": "  "}, "token")


def test_command_timeout() -> None:
    with pytest.raises(SecretError, match=r"timed out after 0\.5 s"):
        resolve_secret({"token_command": [PY, "-c", "import time; time.sleep(30)"]}, "token", timeout=0.5)


def test_inline_value() -> None:
    secret = resolve_secret({"token": "inline-token"}, "token")
    assert secret is not None and secret.reveal() == "inline-token"
    with pytest.raises(SecretError, match="non-empty string"):
        resolve_secret({"token": 123}, "token")


def test_missing_says_which_keys_to_set() -> None:
    with pytest.raises(SecretError) as err:
        resolve_secret({}, "client_secret")
    text = str(err.value)
    assert "client_secret_env" in text and "client_secret_command" in text and "client_secret" in text
    assert resolve_secret({}, "client_secret", required=False) is None


def test_two_sources_are_ambiguous() -> None:
    with pytest.raises(SecretError, match="set only one of token_env, token"):
        resolve_secret({"token_env": "X", "token": "y"}, "token", env={"X": "z"})


def test_resolved_values_are_registered_for_redaction() -> None:
    resolve_secret({"token_env": "T"}, "token", env={"T": "env-value-to-hide"})
    assert redact("got env-value-to-hide back") == "got *** back"


# ---------------------------------------------------------------- redact


def test_redact_registered_values_and_their_encodings() -> None:
    register_secret("p@ss w/rd+1")
    text = "a p@ss w/rd+1 b p%40ss%20w%2Frd%2B1 c p%40ss+w%2Frd%2B1"
    assert redact(text) == "a *** b *** c ***"


def test_short_values_are_not_registered() -> None:
    register_secret("abc")
    assert redact_values("abc abcd") == "abc abcd"
    assert redact_values("the key abcd9", extra=["abcd9", "xy"]) == "the key ***"


def test_longest_secret_wins() -> None:
    register_secret("overlap-secret")
    register_secret("overlap-secret-longer")
    assert redact("[overlap-secret-longer]") == "[***]"


def test_redact_header_forms() -> None:
    text = "\n".join(
        [
            "Authorization: Bearer eyJhbGciOi.abc.def",
            "authorization: SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=abc",
            "X-Auth-Token: MIIabc",
            "X-Subject-Token:MIIdef",
            "x-security-token: tmp",
            "Content-Type: application/json",
            "{'x-auth-token': 'MIIghi', 'host': 'h'}",
            '{"Authorization": "Basic dXNlcjpwdw=="}',
        ]
    )
    out = redact(text).splitlines()
    assert out == [
        "Authorization: Bearer ***",
        "authorization: SDK-HMAC-SHA256 ***",
        "X-Auth-Token: ***",
        "X-Subject-Token:***",
        "x-security-token: ***",
        "Content-Type: application/json",
        "{'x-auth-token': '***', 'host': 'h'}",
        '{"Authorization": "Basic ***"}',
    ]


def test_redact_credential_fields() -> None:
    assert redact('{"password": "pw", "user": "u"}') == '{"password": "***", "user": "u"}'
    assert redact("grant_type=refresh_token&refresh_token=rt1&client_secret=cs") == (
        "grant_type=refresh_token&refresh_token=***&client_secret=***"
    )
    assert redact("access_token = 'at'") == "access_token = '***'"
    # field names inside longer names and prose are left alone
    assert (
        redact("password_env = HWC_PW, wrong password: retry")
        == "password_env = HWC_PW, wrong password: retry"
    )


def test_secret_error_messages_are_redacted() -> None:
    register_secret("leaky-secret-value")
    assert "leaky" not in str(SecretError("boom leaky-secret-value"))


# ---------------------------------------------------------------- RedactingFilter


def make_logger(name: str) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger(name)
    logger.handlers[:] = [handler]
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    return logger, stream


def test_redacting_filter_redacts_messages_args_and_tracebacks() -> None:
    secret = Secret("log-secret-value")
    logger, stream = make_logger("taskdeck.test.redact")
    child = logging.getLogger("taskdeck.test.redact.child")
    logger.info("token is %s", secret.reveal())
    logger.info("headers %r", {"X-Auth-Token": "MIIxyz", "Accept": "*/*"})
    logger.info("raw log-secret-value in message")
    child.warning("from a child: %s", secret.reveal())  # propagates to the handler's filter
    try:
        raise RuntimeError(f"failed with {secret.reveal()}")
    except RuntimeError:
        logger.exception("request failed")
    logger.info("bad format %d", "not-a-number")
    out = stream.getvalue()
    assert "log-secret-value" not in out
    assert "MIIxyz" not in out
    assert "token is ***" in out
    assert "'X-Auth-Token': '***'" in out
    assert "from a child: ***" in out
    assert "RuntimeError: failed with ***" in out
    assert "bad format" in out


def test_redacting_filter_is_idempotent_across_handlers() -> None:
    Secret("twice-secret-value")
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "v=%s", ("twice-secret-value",), None)
    f = RedactingFilter()
    assert f.filter(record) and f.filter(record)
    assert record.getMessage() == "v=***"
