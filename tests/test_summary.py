"""One-line summaries: exact formats for the documented examples, tolerance for everything else."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.core import decode, families
from tui.core.decode import decode_result
from tui.core.model import Steps, TaskState
from tui.core.summary import MAX_SUMMARY, summarize

IMPORT_RESULT = (
    '{"success":[{"id":"ee93ce6815f04896b301452982b92222","action":"create","method":"GET","path":"/test1"}],'
    '"failure":[],"swagger":{"id":"de1852ab6c5e4090b0bd88a02058e650","result":"Success"},'
    '"group_id":"9100ae30705947cc9543d37cd7fb388c"}'
)
FAILED_RESULT = '{"error_code":"APIG.3201","error_msg":"The API group name already exists"}'
SWAGGER = {
    "swagger": "2.0",
    "info": {"title": "test8", "version": "2023-07-11-19:54:22"},
    "paths": {"/test1": {"get": {"responses": {"default": {"description": "default response"}}}}},
}
EXPORT_RESULT = json.dumps(
    {
        "FileName": "test8-RELEASE-all-2023-07-11-19:54:22",
        "FileType": ".json",
        "Comment": json.dumps(SWAGGER, indent="\t"),
    }
)
DMS_PARAMS = (
    '{"public_ip_id":"1aea7aed-e7d8-40ea-b3de-6f3ee9d5db9f","public_ip_address":"100.93.2.18",'
    '"enable_public_ip":true}'
)
URL = "https://tenant.portalsapife.smint.io/frontend/v1/downloads/abc?sig=x"


# --- the exact formats ---------------------------------------------------------------------------


def test_apig_import_success() -> None:
    result = decode_result(IMPORT_RESULT)
    assert summarize("apig", "import_api", "succeeded", result) == "1 created, 0 failed · group 9100ae30…"


def test_apig_failed_import() -> None:
    result = decode_result(FAILED_RESULT)
    assert summarize("apig", "import_api", "failed", result) == "APIG.3201: The API group name already exists"


def test_apig_export() -> None:
    assert (
        summarize("apig", "export_api", "succeeded", decode_result(EXPORT_RESULT))
        == "test8 (swagger 2.0) · 1 path · test8-RELEASE-all-2023-07-11-19:54:22.json"
    )


def test_smint_download() -> None:
    result = decode_result(json.dumps({"assetDownloadUrl": {"url": URL}}))
    assert summarize("smint", "", "succeeded", result) == f"download ready: {URL}"


def test_smint_progress() -> None:
    assert summarize("smint", "", "running", None, steps=(5, 0, 12)) == "5/12 steps, 0 failed"
    assert (
        summarize("smint", "", "running", "", steps=Steps(done=5, failed=0, total=12))
        == "5/12 steps, 0 failed"
    )


def test_dms() -> None:
    assert (
        summarize("dms", "bindInstancePublicIp", "succeeded", None, params=decode_result(DMS_PARAMS))
        == "bindInstancePublicIp · public_ip_address=100.93.2.18 …"
    )


def test_apig_waiting_and_processing() -> None:
    assert summarize("apig", "import_api", "pending", "") == "import_api waiting"
    assert summarize("apig", "import_api", "running", decode_result("")) == "import_api running"
    assert summarize("apig", "export_api", "pending", None) == "export_api waiting"


# --- more APIG --------------------------------------------------------------------------------------


def import_result(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"success": [], "failure": [], "group_id": "9100ae30705947cc9543d37cd7fb388c"}
    base.update(fields)
    return base


def test_apig_import_counts() -> None:
    created = {"id": "a", "action": "create", "method": "GET", "path": "/a"}
    updated = {"id": "b", "action": "update", "method": "PUT", "path": "/b"}
    result = import_result(success=[created, updated, updated])
    assert (
        summarize("apig", "import_api", "succeeded", result)
        == "1 created, 2 updated, 0 failed · group 9100ae30…"
    )
    result = import_result(success=[created], ignore=[{"method": "GET", "path": "/x"}] * 3)
    assert (
        summarize("apig", "import_api", "succeeded", result)
        == "1 created, 0 failed, 3 ignored · group 9100ae30…"
    )


def test_apig_import_failures_show_the_first() -> None:
    failure = {"method": "POST", "path": "/c", "error_code": "APIG.3301", "error_msg": "API name exists"}
    result = import_result(failure=[failure, failure])
    assert (
        summarize("apig", "import_api", "succeeded", result)
        == "0 created, 2 failed · group 9100ae30… · POST /c: APIG.3301: API name exists"
    )


def test_apig_short_group_id_is_not_cut() -> None:
    assert summarize("apig", "import_api", "succeeded", import_result(group_id="abc")) == (
        "0 created, 0 failed · group abc"
    )
    assert summarize("apig", "import_api", "succeeded", import_result(group_id=None)) == "0 created, 0 failed"


def test_apig_raw_result_text_is_decoded_too() -> None:
    assert (
        summarize("apig", "import_api", "succeeded", IMPORT_RESULT) == "1 created, 0 failed · group 9100ae30…"
    )
    assert (
        summarize("apig", "import_api", "failed", FAILED_RESULT)
        == "APIG.3201: The API group name already exists"
    )


def test_apig_export_variants() -> None:
    openapi = {"openapi": "3.0.1", "info": {"title": "shop"}, "paths": {"/a": {}, "/b": {}}}
    result = {"FileName": "shop-RELEASE", "FileType": "json", "Comment": json.dumps(openapi)}
    assert summarize("apig", "export_api", "succeeded", decode_result(json.dumps(result))) == (
        "shop (openapi 3.0.1) · 2 paths · shop-RELEASE.json"
    )
    no_paths = {"swagger": "2.0", "info": {}, "paths": {}}
    other: dict[str, Any] = {"FileName": "x", "FileType": ".json", "Comment": no_paths}
    assert summarize("apig", "export_api", "succeeded", other) == "swagger 2.0 · 0 paths · x.json"


def test_apig_export_as_yaml() -> None:
    yaml_text = (
        "swagger: '2.0'\ninfo:\n  title: \"test8\"\n  version: 2023-07-11\npaths:\n  /test1:\n    get: {}\n"
    )
    result = {"FileName": "test8-RELEASE", "FileType": ".yaml", "Comment": yaml_text}
    assert summarize("apig", "export_api", "succeeded", result) == "test8 (swagger 2.0) · test8-RELEASE.yaml"


def test_apig_export_too_large_to_decode() -> None:
    comment = json.dumps({**SWAGGER, "x-padding": "p" * 9_000_000}, indent="\t")
    result = {"FileName": "big", "FileType": ".json", "Comment": comment}
    assert summarize("apig", "export_api", "succeeded", result) == "test8 (swagger 2.0) · big.json"


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        ({"error_code": "APIG.9999"}, "APIG.9999"),
        ({"error_msg": "System error"}, "System error"),
        ({"errorCode": "APIG.1", "errorMsg": "camel"}, "APIG.1: camel"),
        ({"error": {"code": 500, "message": "inner"}}, "500: inner"),
        ({"error_code": 3201, "error_msg": None}, "3201"),
        ("task failed: quota exceeded", "task failed: quota exceeded"),
    ],
)
def test_apig_error_shapes(result: Any, expected: str) -> None:
    assert summarize("apig", "import_api", "failed", result) == expected


# --- more Smint ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        ({"error_code": "E42", "error_message": "Asset not found"}, "E42: Asset not found"),
        (
            {"error_message": "Asset not found", "error_details": {"uuid": "u", "name": "n"}},
            "Asset not found",
        ),
        ({"message": "Download failed"}, "Download failed"),
        ("Download failed", "Download failed"),
        ("'Download failed'", "'Download failed'"),
    ],
)
def test_smint_error_result_shows_the_error(result: Any, expected: str) -> None:
    assert summarize("smint", "", "failed", result, steps=(0, 1, 1)) == expected


def test_smint_failed_without_result_shows_steps() -> None:
    assert summarize("smint", "", "failed", None, steps=(3, 2, 5)) == "3/5 steps, 2 failed"


def test_smint_other_results() -> None:
    assert summarize("smint", "", "succeeded", URL) == f"download ready: {URL}"
    assert summarize("smint", "", "succeeded", f"'{URL}'") == f"download ready: {URL}"
    text = '\'{"assetDownloadUrl":{"url":"' + URL + "\"}}'"
    assert summarize("smint", "", "succeeded", decode_result(text)) == f"download ready: {URL}"
    assets = {"assetDataObjects": [{"uuid": "1"}, {"uuid": "2"}], "total": 2}
    assert summarize("smint", "", "succeeded", assets) == "assetDataObjects: 2 items, total=2"
    features = {"isRandomAccessSupported": True}
    assert summarize("smint", "", "succeeded", features) == "isRandomAccessSupported=true"
    assert summarize("smint", "", "succeeded", [1, 2, 3]) == "3 items"


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        ((5, 0, 12), "5/12 steps, 0 failed"),
        (["5", "1", "12"], "5/12 steps, 1 failed"),
        ((5.0, None, 12), "5/12 steps, 0 failed"),
        ((None, 0, 12), "?/12 steps, 0 failed"),
        ((5, 0, None), "5 steps, 0 failed"),
        ((None, None, None), "running"),
        ((1, 2), "running"),
        ("5/12", "running"),
        (12, "running"),
    ],
)
def test_smint_steps_of_any_shape(steps: Any, expected: str) -> None:
    assert summarize("smint", "", "running", None, steps=steps) == expected


# --- more DMS --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "params", "expected"),
    [
        (
            "modifyAutoTopic",
            '{"old_auto_status":true,"new_auto_status":false}',
            "modifyAutoTopic · new_auto_status=false, old_auto_status=true",
        ),
        (
            "changeRetentionPolicy",
            '{"new_retention_policy":"produce_reject","origin_retention_policy":"time_base"}',
            "changeRetentionPolicy · new_retention_policy=produce_reject …",
        ),
        ("restartInstance", "{}", "restartInstance"),
        ("restartInstance", "", "restartInstance"),
        ("restartInstance", None, "restartInstance"),
        ("restartInstance", '{"instance_id":"abc"}', "restartInstance · instance_id=abc"),
        ("restartInstance", '{"instanceId":"abc","paid":"yes"}', "restartInstance · paid=yes"),
        ("resize", '{"new_storage_space":"600"}', "resize · new_storage_space=600"),
        ("resize", "[1, 2]", "resize · 2 items"),
        ("resize", "not json", "resize · not json"),
        ("resize", '{"brokers":[1,2,3],"new_size":3}', "resize · new_size=3, brokers=[3 items]"),
        ("", '{"a":1}', "a=1"),
    ],
)
def test_dms_params_variants(name: str, params: Any, expected: str) -> None:
    assert summarize("dms", name, "succeeded", None, params=params) == expected


def test_dms_params_passed_as_the_result() -> None:
    expected = "bindInstancePublicIp · public_ip_address=100.93.2.18 …"
    assert summarize("dms", "bindInstancePublicIp", "succeeded", decode_result(DMS_PARAMS)) == expected
    assert summarize("dms", "bindInstancePublicIp", "succeeded", DMS_PARAMS) == expected


def test_dms_long_value_is_cut() -> None:
    line = summarize("dms", "x", "succeeded", None, params={"name": "n" * 500})
    assert line.startswith("x · name=nnn") and line.endswith("…") and len(line) < 80


# --- the rules every summary follows -------------------------------------------------------------------


def test_one_line_cleaned_and_bounded() -> None:
    result = {"error_code": "X\x1b]0;owned\x07", "error_msg": "line1\nline2\r\n\tline3\u202e" + "m" * 1000}
    line = summarize("apig", "import_api", "failed", result)
    assert "\x1b" not in line and "\x07" not in line and "\n" not in line and "\u202e" not in line
    assert line.startswith("X␛]0;owned␇: line1 line2 line3")
    assert len(line) <= MAX_SUMMARY and line.endswith("…")


def test_lone_surrogates_do_not_survive() -> None:
    line = summarize("apig", "import_api", "failed", decode_result('{"error_msg":"bad \\ud800 text"}'))
    line.encode("utf-8")


def test_unknown_family_and_states() -> None:
    assert summarize("other", "job", "running", None) == "job running"
    assert summarize("other", "job", "succeeded", {"a": 1}) == "a=1"
    assert summarize("apig", "job", "weird", None) == "job weird"
    assert summarize("apig", "", "unknown", None) == ""
    assert summarize("smint", "", "running", None) == "running"


@pytest.mark.parametrize("state", [s.value for s in TaskState])
@pytest.mark.parametrize(
    "result",
    [
        None,
        "",
        0,
        -1.5,
        True,
        [],
        {},
        [None],
        ["{}", "[]"],
        {"success": None},
        {"success": "3", "failure": "1", "ignore": 2.0, "group_id": 12345678901},
        {"success": {"action": "update"}, "failure": {"x": 1}},
        {"success": [None, 1, "x", [], {"action": None}, {"action": 5}], "failure": [None]},
        {"FileName": None, "FileType": 3, "Comment": None},
        {"FileName": ["x"], "Comment": {"swagger": None, "info": [], "paths": "many"}},
        {"Comment": {"openapi": {"v": 3}, "info": {"title": {"t": 1}}, "paths": None}},
        {"assetDownloadUrl": []},
        {"assetDownloadUrl": {"url": {"href": URL}}},
        {"error": None},
        {"error": []},
        {"error": "x"},
        {"error_code": [], "error_msg": {}},
        {"tasks": [{"params": '{"a":1}'}]},
        {1: 2, None: 3, (1, 2): "t"},
        float("nan"),
        10**400,
        b"bytes",
        object(),
    ],
)
@pytest.mark.parametrize("family", ["apig", "smint", "dms", "", "x"])
def test_wrong_types_give_a_line(family: str, state: str, result: Any) -> None:
    line = summarize(family, "kind", state, result, steps=("a", None, []), params=result)  # type: ignore[arg-type]
    assert isinstance(line, str) and "\n" not in line and len(line) <= MAX_SUMMARY


def test_bad_kind_and_state_types() -> None:
    line = summarize(None, 5, None, None)  # type: ignore[arg-type]
    assert line == "5"
    summarize(["apig"], {"k": 1}, b"x", IMPORT_RESULT)  # type: ignore[arg-type]


def test_an_unexpected_failure_falls_back_to_kind_and_state(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: Any) -> str:
        raise RuntimeError("bug")

    monkeypatch.setitem(families._BY_NAME, "apig", dataclasses.replace(families.APIG_FAMILY, summariser=boom))
    assert summarize("apig", "import_api", "running", {"x": 1}) == "import_api running"


def test_summaries_live_in_summary_only() -> None:
    """decode no longer re-exports summarize: that re-export made decode and summary import each other."""
    assert not hasattr(decode, "summarize")
    assert summarize("apig", "import_api", "failed", decode_result(FAILED_RESULT)) == (
        "APIG.3201: The API group name already exists"
    )


# --- fuzz ----------------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

keys = st.sampled_from(
    ["success", "failure", "ignore", "group_id", "action", "method", "path", "error_code", "error_msg",
     "error_message", "error", "code", "message", "FileName", "FileType", "Comment", "content", "swagger",
     "openapi", "info", "title", "paths", "assetDownloadUrl", "url", "public_ip_address", "id", "name"]
) | st.text(max_size=10)  # fmt: skip
leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=40)
    | st.sampled_from([URL, "2.0", "3.0.1", "create", "update", IMPORT_RESULT, FAILED_RESULT, DMS_PARAMS])
)
values = st.recursive(
    leaves,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=6),
    max_leaves=40,
)
steps = st.none() | st.tuples(
    st.none() | st.integers() | st.text(max_size=5),
    st.none() | st.integers() | st.text(max_size=5),
    st.none() | st.integers() | st.text(max_size=5),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["apig", "smint", "dms"]) | st.text(max_size=8),
    st.text(max_size=30),
    st.sampled_from([s.value for s in TaskState]) | st.text(max_size=8),
    values,
    steps,
    values,
)
def test_fuzz_summarize(family: str, kind: str, state: str, result: Any, steps: Any, params: Any) -> None:
    line = summarize(family, kind, state, result, steps=steps, params=params)
    assert isinstance(line, str)
    assert len(line) <= MAX_SUMMARY
    assert not _CONTROL.search(line)
    assert line == line.strip()
    line.encode("utf-8")


def test_code_and_message_are_separated_not_glued() -> None:
    result = {"error_code": "asset_processing_failed", "error_message": "3 of 40 renditions could not be generated"}
    assert summarize("smint", "", "failed", result) == (
        "asset_processing_failed: 3 of 40 renditions could not be generated")
