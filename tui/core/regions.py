"""Huawei Cloud endpoints by region, as the official SDK resolves them.

`regions.json` is generated from the SDK's region files (`scripts/regions_from_sdk.py`; tests/test_regions.py
checks it still matches the SDK in the `test` extra), so `region = "eu-west-101"` in a profile gives the same
hosts the SDK would use, without depending on the SDK at run time. IAM follows `IamHelper.get_iam_endpoint`:
`HUAWEICLOUD_SDK_IAM_ENDPOINT`, then the region's entry, then the global endpoint.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Mapping
from importlib import resources

from tui.core.families import FAMILIES

IAM_ENDPOINT_ENV = "HUAWEICLOUD_SDK_IAM_ENDPOINT"
# Provider kind -> the service table its endpoint comes from.
SERVICE_OF_KIND = {kind: family.service for kind, family in FAMILIES.items() if family.service}


@functools.cache
def _tables() -> dict[str, object]:
    text = resources.files("tui.core").joinpath("regions.json").read_text(encoding="utf-8")
    data = json.loads(text)
    assert isinstance(data, dict)
    return data


def _service(name: str) -> dict[str, str]:
    table = _tables()[name]
    assert isinstance(table, dict)
    return table


def regions() -> list[str]:
    """Every region the SDK knows for DMS or APIG, sorted."""
    return sorted(set(_service("dms")) | set(_service("apig")))


def service_endpoint(kind: str, region: str) -> str | None:
    """The DMS or APIG endpoint of `region` for a provider kind, or None when the SDK has no such region."""
    service = SERVICE_OF_KIND.get(kind)
    return _service(service).get(region) if service else None


def iam_endpoint(region: str | None, env: Mapping[str, str] | None = None) -> str:
    """Where IAM lives for `region`: the SDK's environment override, its table, else the global endpoint."""
    environ = os.environ if env is None else env
    override = environ.get(IAM_ENDPOINT_ENV, "").strip()
    if override:
        return override
    default = _tables()["iam_default"]
    assert isinstance(default, str)
    return _service("iam").get(region or "", default)
