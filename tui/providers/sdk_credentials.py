"""AK/SK where the official Huawei Cloud SDK finds them, for `auth = { type = "aksk" }` with no key fields.

The SDK's chain (`huaweicloudsdkcore/auth/provider.py`, apis.md §6b), in order:
1. the environment: `HUAWEICLOUD_SDK_AK`, `HUAWEICLOUD_SDK_SK`, optional `HUAWEICLOUD_SDK_SECURITY_TOKEN` and
   `HUAWEICLOUD_SDK_PROJECT_ID`;
2. the credentials file `HUAWEICLOUD_SDK_CREDENTIALS_FILE`, else `~/.huaweicloud/credentials` (INI, section
   `[basic]` with `ak`, `sk`, optional `security_token`, `project_id`, `iam_endpoint`).
The file is only read. Users already set these up for the SDK and hcloud, so taskdeck needs nothing new.
`source` says where the keys came from (shown by `provider list` and the debug screen), never the keys.
"""

from __future__ import annotations

import configparser
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tui.core.secrets import Secret, SecretError

AK_ENV, SK_ENV = "HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK"
TOKEN_ENV, PROJECT_ENV = "HUAWEICLOUD_SDK_SECURITY_TOKEN", "HUAWEICLOUD_SDK_PROJECT_ID"
FILE_ENV = "HUAWEICLOUD_SDK_CREDENTIALS_FILE"
SECTION = "basic"


@dataclass(frozen=True, slots=True)
class SdkCredentials:
    access_key: Secret
    secret_key: Secret
    security_token: Secret | None
    project_id: str | None
    iam_url: str | None
    source: str  # "environment (HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK)" or "file /home/me/.huaweicloud/credentials"


def credentials_file(env: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if env is None else env
    given = environ.get(FILE_ENV, "").strip()
    if given:
        return Path(given).expanduser()
    return Path(environ.get("HOME") or Path.home()) / ".huaweicloud" / "credentials"


def sdk_credentials_present(env: Mapping[str, str] | None = None) -> bool:
    """True when the SDK would find keys: its AK variable is set or its credentials file exists."""
    environ = os.environ if env is None else env
    return bool(environ.get(AK_ENV)) or credentials_file(environ).is_file()


def _value(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def describe_source(env: Mapping[str, str] | None = None) -> str:
    """Where `auth = { type = "aksk" }` takes its keys from right now, without reading a secret into text."""
    environ = os.environ if env is None else env
    if environ.get(AK_ENV) and environ.get(SK_ENV):
        return f"environment ({AK_ENV}, {SK_ENV})"
    path = credentials_file(environ)
    if path.is_file():
        return f"file {path}"
    return f"nothing yet: set {AK_ENV} and {SK_ENV}, or create {path}"


def find_sdk_credentials(env: Mapping[str, str] | None = None) -> SdkCredentials:
    """The first AK/SK of the SDK's chain; SecretError naming both places when neither has them."""
    environ = os.environ if env is None else env
    ak, sk = _value(environ.get(AK_ENV)), _value(environ.get(SK_ENV))
    if ak and sk:
        token = _value(environ.get(TOKEN_ENV))
        return SdkCredentials(Secret(ak), Secret(sk), Secret(token) if token else None,
                              _value(environ.get(PROJECT_ENV)), None, f"environment ({AK_ENV}, {SK_ENV})")
    if ak or sk:
        missing = SK_ENV if ak else AK_ENV
        raise SecretError(f"access_key: {missing} is not set (the Huawei SDK needs both {AK_ENV} and {SK_ENV})",
                          field="access_key")
    path = credentials_file(environ)
    parser = configparser.ConfigParser(interpolation=None)
    try:
        read = parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError) as exc:
        raise SecretError(f"access_key: {path} cannot be read as the SDK's INI file: {type(exc).__name__}",
                          field="access_key") from None
    if not read:
        raise SecretError(
            f"access_key: no Huawei SDK credentials found: set {AK_ENV} and {SK_ENV}, or create {path} "
            f"with a [{SECTION}] section holding ak and sk (or name access_key_env/secret_key_env in the profile)",
            field="access_key")
    if not parser.has_section(SECTION):
        raise SecretError(f"access_key: {path} has no [{SECTION}] section with ak and sk", field="access_key")
    section = parser[SECTION]
    ak, sk = _value(section.get("ak")), _value(section.get("sk"))
    if not (ak and sk):
        raise SecretError(f"access_key: the [{SECTION}] section of {path} needs both ak and sk", field="access_key")
    token = _value(section.get("security_token"))
    return SdkCredentials(Secret(ak), Secret(sk), Secret(token) if token else None,
                          _value(section.get("project_id")), _value(section.get("iam_endpoint")), f"file {path}")
