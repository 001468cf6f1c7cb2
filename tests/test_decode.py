"""Decoding of JSON held in strings, export documents, download URLs, pretty JSON."""

from __future__ import annotations

import json
import math
import string
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.core.decode import (
    decode_nested,
    decode_result,
    download_url,
    export_document,
    to_pretty_json,
)

# --- the documented examples (apis.md), as the response bodies arrive -------------------------

IMPORT_BODY = (
    '{"task_id":"d9ce8c9eede54b3f841ec324fe0bfdc2","task_status":"succeed","task_type":"import_api",'
    '"task_result":"{\\"success\\":[{\\"id\\":\\"ee93ce6815f04896b301452982b92222\\",\\"action\\":\\"create\\",'
    '\\"method\\":\\"GET\\",\\"path\\":\\"/test1\\"}],\\"failure\\":[],\\"swagger\\":{\\"id\\":'
    '\\"de1852ab6c5e4090b0bd88a02058e650\\",\\"result\\":\\"Success\\"},'
    '\\"group_id\\":\\"9100ae30705947cc9543d37cd7fb388c\\"}"}'
)
FAILED_BODY = (
    '{"task_id":"f01d2772ea4944408fa544c8ae5a9999","task_status":"failed","task_type":"import_api",'
    '"task_result":"{\\"error_code\\":\\"APIG.3201\\",\\"error_msg\\":\\"The API group name already exists\\"}"}'
)
PROCESSING_BODY = (
    '{"task_id":"4dfbf6acaacf4c41a8b3c50daa90d3dc","task_status":"processing","task_type":"import_api",'
    '"task_result":""}'
)

# The documented export example elides the Swagger text ("{\n\t\"swagger\": \"2.0\", ...}");
# this is a real small document in the same tab-indented layout.
SWAGGER = {
    "swagger": "2.0",
    "info": {"title": "test8", "version": "2023-07-11-19:54:22", "description": "exported"},
    "host": "test8.apig.example.com",
    "paths": {
        "/test1": {
            "get": {
                "operationId": "test1",
                "responses": {"default": {"description": "default response"}},
                "x-apigateway-result-normal-sample": '{"ok": true}',
            }
        }
    },
}
EXPORT_RESULT = json.dumps(
    {
        "FileName": "test8-RELEASE-all-2023-07-11-19:54:22",
        "FileType": ".json",
        "Comment": json.dumps(SWAGGER, indent="\t"),
    }
)
EXPORT_BODY = json.dumps(
    {
        "task_id": "d6e8834b6f0f4711a2fa5345e5b60833",
        "task_status": "succeed",
        "task_type": "export_api",
        "task_result": EXPORT_RESULT,
    }
)
DMS_PARAMS = (
    '{"public_ip_id":"1aea7aed-e7d8-40ea-b3de-6f3ee9d5db9f","public_ip_address":"100.93.2.18",'
    '"enable_public_ip":true}'
)


def task_result(body: str) -> str:
    return json.loads(body)["task_result"]


# --- decode_result on the examples --------------------------------------------------------------


def test_apig_import_result() -> None:
    result = decode_result(task_result(IMPORT_BODY))
    assert result["group_id"] == "9100ae30705947cc9543d37cd7fb388c"
    assert result["success"][0] == {
        "id": "ee93ce6815f04896b301452982b92222",
        "action": "create",
        "method": "GET",
        "path": "/test1",
    }
    assert result["failure"] == []


def test_apig_failed_result_is_the_error_object() -> None:
    assert decode_result(task_result(FAILED_BODY)) == {
        "error_code": "APIG.3201",
        "error_msg": "The API group name already exists",
    }


def test_empty_result_stays_empty() -> None:
    assert decode_result(task_result(PROCESSING_BODY)) == ""
    assert decode_result(None) is None


def test_apig_export_comment_becomes_the_swagger_document() -> None:
    result = decode_result(task_result(EXPORT_BODY))
    assert result["FileName"] == "test8-RELEASE-all-2023-07-11-19:54:22"
    assert result["Comment"] == SWAGGER


def test_swagger_document_is_kept_verbatim() -> None:
    # A sample response inside the document is content: re-importing needs it as a string.
    doc = decode_result(EXPORT_RESULT)["Comment"]
    assert doc["paths"]["/test1"]["get"]["x-apigateway-result-normal-sample"] == '{"ok": true}'


def test_whole_body_decodes_in_one_call() -> None:
    body = decode_nested(json.loads(EXPORT_BODY))
    assert body["task_result"]["Comment"]["info"]["title"] == "test8"
    assert body["task_id"] == "d6e8834b6f0f4711a2fa5345e5b60833"


def test_dms_params() -> None:
    assert decode_nested(DMS_PARAMS) == {
        "public_ip_id": "1aea7aed-e7d8-40ea-b3de-6f3ee9d5db9f",
        "public_ip_address": "100.93.2.18",
        "enable_public_ip": True,
    }


@pytest.mark.parametrize(
    "text",
    [
        '\'{"collections":[{"id":1}]}\'',  # as the Smint docs print it, single quotes around JSON
        '  \'{"collections":[{"id":1}]}\'\n',
        '\'{\\"collections\\":[{\\"id\\":1}]}\'',  # ... with the escapes still in place
        '{"collections":[{"id":1}]}',
        '"{\\"collections\\":[{\\"id\\":1}]}"',  # JSON string holding JSON
    ],
)
def test_smint_result_string_variants(text: str) -> None:
    assert decode_result(text) == {"collections": [{"id": 1}]}


@pytest.mark.parametrize(
    "text",
    [
        "https://tenant.portalsapife.smint.io/frontend/v1/downloads/abc?sig=x",
        "1",
        "4",
        "true",
        "null",
        "plain words",
        "{not json}",
        "[1, 2",
        "'quoted'",
        '"just a quoted string"',
        "'[broken'",
        "''",
        "'",
        "",
        "   ",
    ],
)
def test_what_does_not_decode_stays_a_string(text: str) -> None:
    assert decode_result(text) == text
    assert decode_nested(text) == text


def test_numbers_as_strings_stay_strings_inside_structures() -> None:
    assert decode_nested({"task_count": "1", "tasks": []}) == {"task_count": "1", "tasks": []}


def test_containers_are_copied_not_changed() -> None:
    original = {"a": '{"b": 1}', "c": ["[2]", ("x", '{"d": 3}')]}
    snapshot = json.dumps(original)
    assert decode_nested(original) == {"a": {"b": 1}, "c": [[2], ("x", {"d": 3})]}
    assert json.dumps(original) == snapshot


def test_bytes_are_decoded_as_utf8() -> None:
    assert decode_nested(b'{"a": "\xc3\xa9"}') == {"a": "é"}
    assert decode_nested(bytearray(b"\xff\xfe")) == "\ufffd\ufffd"
    assert decode_result(b"[1]") == [1]  # type: ignore[arg-type]


def test_repeated_strings_in_one_value() -> None:
    item = '{"k": [1, 2, 3]}'
    result = decode_nested([item] * 1000)
    assert result == [{"k": [1, 2, 3]}] * 1000


def test_decode_result_reuses_the_parse_of_the_same_text() -> None:
    text = json.dumps({"FileName": "x", "Comment": json.dumps({"swagger": "2.0", "paths": {}})})
    first = decode_result(text)
    again = decode_result("".join(list(text)))  # equal text, a different str object
    assert again is first


# --- limits ----------------------------------------------------------------------------------------


def wrap(value: Any, levels: int) -> str:
    """`value` as JSON held in a string held in a string ... `levels` deep."""
    text = json.dumps(value)
    for _ in range(levels - 1):
        text = json.dumps([text])
    return text


def test_depth_limit_leaves_the_deeper_string_a_string() -> None:
    text = wrap({"x": 1}, 10)
    full = decode_nested(text)
    for _ in range(9):
        full = full[0]
    assert full == {"x": 1}

    cut = decode_nested(text, max_depth=3)
    inner = cut[0][0]
    assert isinstance(inner, list) and isinstance(inner[0], str)
    assert json.loads(inner[0]) is not None
    assert decode_nested(text, max_depth=0) == text


def test_long_chain_of_quoted_json_strings() -> None:
    # Each string level doubles the escapes, so a chain of JSON-in-strings cannot be
    # 1,000 levels deep as text: 20 levels are already 2 MB.
    text = "[1]"
    for _ in range(20):
        text = json.dumps(text)
    assert decode_nested(text) == [1]
    assert decode_nested(text, max_depth=12) == text  # the chain is not a container within 12 levels


def test_thousand_levels_of_nesting_do_not_recurse_without_bound() -> None:
    # 1,000 levels of containers, each level also holding JSON in a string.
    value: Any = '{"leaf": true}'
    for i in range(1000):
        value = {"level": i, "json": '{"n": [1]}', "child": value}
    result = decode_nested(value)
    assert result["json"] == {"n": [1]}
    node = result
    for _ in range(40):
        node = node["child"]
    assert node["json"] == {"n": [1]}

    # The same as JSON text, and JSON text nested far deeper than the recursion limit.
    text = '"{\\"leaf\\": true}"'
    for i in range(1000):
        text = f'{{"level": {i}, "json": "{{\\"n\\": [1]}}", "child": {text}}}'
    out = decode_nested(text)
    assert out == text or (isinstance(out, dict) and out["json"] == {"n": [1]})
    for depth in (1000, sys.getrecursionlimit() * 3, 200_000):
        text = "[" * depth + "]" * depth
        out = decode_nested({"r": text})
        assert isinstance(out, dict)


def test_twenty_megabyte_string_is_kept_as_is() -> None:
    """Correctness only; bench/bench_decode.py measures the time beside a plain scan of the text."""
    big = "[" + "1," * 10_000_000 + "1]"
    assert decode_nested(big) is big
    assert decode_result(big) is big
    assert decode_nested({"a": big})["a"] is big
    assert decode_nested("x" * 20_000_000) == "x" * 20_000_000
    # within a raised limit it parses; pathological nesting fails fast and stays a string
    deep = "[" * 10_000_000 + "]" * 10_000_000
    assert decode_nested(deep, max_bytes=30_000_000) is deep


def test_total_size_budget() -> None:
    piece = json.dumps({"k": "v" * 1000})
    result = decode_nested([piece + " " * i for i in range(20)], max_bytes=2_000)
    decoded = [x for x in result if isinstance(x, dict)]
    assert 0 < len(decoded) < 20  # the budget (4 x max_bytes in total) ran out part way
    assert all(isinstance(x, str) for x in result[len(decoded) :])


def test_five_megabyte_export_decodes_whole() -> None:
    """Correctness only: how fast it decodes is measured by bench/bench_decode.py, beside json.loads."""
    doc = {
        "swagger": "2.0",
        "info": {"title": "big", "version": "1"},
        "paths": {
            f"/p{i}": {"get": {"description": "d" * 150, "responses": {"200": {"description": "ok"}}}}
            for i in range(20_000)
        },
    }
    text = json.dumps({"FileName": "big", "FileType": ".json", "Comment": json.dumps(doc, indent="\t")})
    assert len(text) > 5_000_000
    result = decode_result(text)
    assert result["Comment"] == doc


# --- properties ------------------------------------------------------------------------------------

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=30,
)
# strings that never look like JSON themselves
plain_text = st.text(alphabet=string.ascii_letters + string.digits + " é-_/:", max_size=20)
plain_values = st.recursive(
    st.none() | st.booleans() | st.integers() | plain_text,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(plain_text, children, max_size=5),
    max_leaves=30,
)


@FAST
@given(st.text(max_size=2000))
def test_any_text_never_raises(text: str) -> None:
    decode_nested(text)
    out = decode_result(text)
    assert out == text or isinstance(out, dict | list)


@FAST
@given(st.binary(max_size=2000))
def test_any_bytes_never_raise(data: bytes) -> None:
    decode_nested(data)
    decode_nested({"x": data, "y": [data]})
    decode_result(data)  # type: ignore[arg-type]


@FAST
@given(json_values)
def test_any_json_value_never_raises(value: Any) -> None:
    decode_nested(value)
    decode_nested(json.dumps(value))
    decode_nested(json.dumps(json.dumps(value), ensure_ascii=False))


@FAST
@given(
    st.lists(plain_values, max_size=4) | st.dictionaries(plain_text, plain_values, max_size=4),
    st.integers(min_value=1, max_value=4),
    st.booleans(),
)
def test_encoded_values_round_trip(value: Any, levels: int, ascii_only: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only)
    for _ in range(levels - 1):
        text = json.dumps(text, ensure_ascii=ascii_only)
    assert decode_nested(text) == value
    assert decode_result(text) == value


@FAST
@given(json_values, st.integers(min_value=0, max_value=40))
def test_json_text_and_structure_decode_alike(value: Any, depth: int) -> None:
    if not isinstance(value, dict | list) or not value:
        return
    assert decode_nested(json.dumps(value), max_depth=depth + 1) == decode_nested(value, max_depth=depth)


@FAST
@given(st.text(max_size=50), st.integers(min_value=0, max_value=3))
def test_limits_of_zero_keep_strings(text: str, depth: int) -> None:
    assert decode_nested(text, max_depth=0) == text
    assert decode_nested(text, max_bytes=0) == text


# --- export_document / download_url ------------------------------------------------------------------


def test_export_document_of_the_documented_example() -> None:
    assert export_document(decode_result(EXPORT_RESULT)) == (
        "test8-RELEASE-all-2023-07-11-19:54:22.json",
        SWAGGER,
    )


def test_export_document_tolerates_variants() -> None:
    yaml_text = "swagger: '2.0'\ninfo:\n  title: test8\npaths:\n  /a:\n    get: {}\n"
    assert export_document({"FileName": "n", "FileType": "yaml", "Comment": yaml_text}) == (
        "n.yaml",
        yaml_text,
    )
    # the documented field table: file_type + content
    assert export_document({"file_type": "json", "content": json.dumps(SWAGGER)}) == ("test8.json", SWAGGER)
    # file name already carries the extension; path separators are not let through
    assert export_document({"FileName": "../x/y.json", "FileType": ".json", "Comment": SWAGGER}) == (
        "_x_y.json",
        SWAGGER,
    )
    # undecoded text of the whole result
    assert export_document(EXPORT_RESULT) == ("test8-RELEASE-all-2023-07-11-19:54:22.json", SWAGGER)
    # the document itself
    assert export_document(SWAGGER) == ("test8.json", SWAGGER)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "https://example.com/x",
        [],
        [EXPORT_RESULT],
        {},
        {"FileName": "x"},
        {"Comment": ""},
        {"success": [], "failure": [], "group_id": "g"},
        {"error_code": "APIG.3201", "error_msg": "x"},
        42,
    ],
)
def test_export_document_none_for_other_results(value: Any) -> None:
    assert export_document(value) is None


def test_export_document_wrong_types() -> None:
    found = export_document({"FileName": 7, "FileType": None, "Comment": {"openapi": "3.0.1", "paths": []}})
    assert found == ("api-export.json", {"openapi": "3.0.1", "paths": []})
    found = export_document({"FileName": "", "FileType": ["x"], "Comment": [1, 2]})
    assert found == ("api-export.json", [1, 2])


def test_download_url() -> None:
    url = "https://t.portalsapife.smint.io/dl/1?sig=a"
    assert download_url(decode_result(json.dumps({"assetDownloadUrl": {"url": url}}))) == url
    assert download_url({"assetDownloadUrl": {"url": f"  {url}\n"}}) == url
    assert download_url({"AssetDownloadUrl": url}) == url
    assert download_url(url) == url
    assert download_url(f"'{url}'") == url
    for other in (
        None,
        "",
        "ftp://x",
        "https://a b",
        {"assetDownloadUrl": {"url": None}},
        {"assetDownloadUrl": None},
        {"assetDownloadUrl": {"url": 5}},
        {"assetDownloadUrl": [url]},
        {"url": url},
        [url],
        3.5,
    ):
        assert download_url(other) is None


# --- to_pretty_json ----------------------------------------------------------------------------------


def test_pretty_json() -> None:
    assert to_pretty_json({"a": [1, "é"]}) == ('{\n  "a": [\n    1,\n    "é"\n  ]\n}', False)
    assert to_pretty_json("x") == ('"x"', False)
    assert to_pretty_json(None) == ("null", False)


def test_pretty_json_truncates() -> None:
    value = {"k": list(range(10_000))}
    full, cut = to_pretty_json(value)
    assert not cut
    text, cut = to_pretty_json(value, max_chars=100)
    assert cut and text == full[:100]
    assert to_pretty_json(value, max_chars=len(full)) == (full, False)
    assert to_pretty_json(value, max_chars=0) == ("", True)


def test_pretty_json_odd_values() -> None:
    cyclic: list[Any] = []
    cyclic.append(cyclic)

    class Odd:
        def __str__(self) -> str:
            return "odd"

    text, cut = to_pretty_json({(1, 2): Odd(), "s": {1, 2}, "f": math.inf, "c": cyclic})
    assert not cut
    assert '"(1, 2)": "odd"' in text
    text, _ = to_pretty_json(cyclic)
    assert text


@FAST
@given(json_values, st.none() | st.integers(min_value=0, max_value=200))
def test_pretty_json_property(value: Any, limit: int | None) -> None:
    text, cut = to_pretty_json(value, max_chars=limit)
    full, _ = to_pretty_json(value)
    assert json.loads(full) == value
    if limit is None or len(full) <= limit:
        assert (text, cut) == (full, False)
    else:
        assert (text, cut) == (full[:limit], True)
