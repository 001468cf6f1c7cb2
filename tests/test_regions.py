"""`region = "..."` in a Huawei profile: the endpoint table is the official SDK's, and it resolves as the SDK does."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from tui.core import regions
from tui.core.providers_config import parse_providers
from tui.core.providers_write import render_provider

ROOT = Path(__file__).resolve().parent.parent


def _script() -> object:
    spec = importlib.util.spec_from_file_location("regions_from_sdk", ROOT / "scripts" / "regions_from_sdk.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_table_is_the_sdk_region_files() -> None:
    pytest.importorskip("huaweicloudsdkkafka", reason="the Huawei SDK is in the test extra")
    expected = _script().sdk_tables()  # type: ignore[attr-defined]
    shipped = json.loads((ROOT / "tui" / "core" / "regions.json").read_text())
    for service in ("dms", "apig", "iam", "iam_default"):
        assert shipped[service] == expected[service], f"{service}: run python scripts/regions_from_sdk.py"
    assert len(shipped["dms"]) >= 30 and shipped["dms"]["eu-west-101"] == "https://dms.eu-west-101.myhuaweicloud.eu"


def test_region_resolves_dms_apig_and_iam_endpoints() -> None:
    assert regions.service_endpoint("huawei-dms", "cn-north-4") == "https://dms.cn-north-4.myhuaweicloud.com"
    assert regions.service_endpoint("huawei-apig", "eu-west-101") == "https://apig.eu-west-101.myhuaweicloud.eu"
    assert regions.service_endpoint("smint", "eu-west-101") is None
    assert regions.iam_endpoint("cn-north-4", env={}) == "https://iam.cn-north-4.myhuaweicloud.com"
    # A region without an IAM entry uses the global endpoint, as the SDK's IamHelper does.
    assert regions.iam_endpoint("eu-west-101", env={}) == "https://iam.myhuaweicloud.com"
    assert regions.iam_endpoint("cn-north-4", env={"HUAWEICLOUD_SDK_IAM_ENDPOINT": "https://iam.corp"}) == \
        "https://iam.corp"


def test_profile_with_region_gets_the_endpoint_and_base_url_overrides() -> None:
    text = """
[providers.kafka]
kind = "huawei-dms"
region = "eu-west-101"
auth = { type = "aksk" }

[providers.gw]
kind = "huawei-apig"
region = "eu-west-101"
base_url = "https://apig.proxy.corp"
project_id = "abc"
auth = { type = "token", token_env = "T" }
"""
    parsed, problems = parse_providers(text)
    assert [p for p in problems if p.is_error] == []
    kafka, gw = parsed.providers["kafka"], parsed.providers["gw"]
    assert kafka.base_url == "https://dms.eu-west-101.myhuaweicloud.eu" and kafka.project_id is None
    assert gw.base_url == "https://apig.proxy.corp"
    # Written back, the derived endpoint is not spelled out; an override is.
    assert "base_url" not in render_provider(kafka) and 'base_url = "https://apig.proxy.corp"' in render_provider(gw)


def test_unknown_region_is_a_config_problem_with_a_suggestion() -> None:
    text = '[providers.k]\nkind = "huawei-dms"\nregion = "eu-west-1O1"\nauth = { type = "aksk" }\n'
    parsed, problems = parse_providers(text, Path("providers.toml"))
    assert "k" in parsed.broken
    described = [p.describe() for p in problems if p.is_error]
    assert any("providers.toml:3" in d and "eu-west-1O1" in d and "eu-west-101" in d for d in described), described


def test_huawei_profile_needs_a_region_or_a_project() -> None:
    text = '[providers.k]\nkind = "huawei-dms"\nbase_url = "https://dms.x"\nauth = { type = "token", token_env = "T" }\n'
    parsed, problems = parse_providers(text)
    assert "k" in parsed.broken
    assert any("region" in p.describe() and "project_id" in p.describe() for p in problems)
