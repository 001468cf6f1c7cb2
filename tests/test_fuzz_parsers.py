"""Hypothesis fuzzing of everything that reads a response: each provider's whole read path
(status, headers, body bytes -> snapshot or ProviderError, through a mock transport), each
family's snapshot_from_body with JSON of any shape, and the error-body parsers.

Properties: nothing but ProviderError is ever raised; messages and shown strings carry no control
character and are bounded; progress is within 0..100; counts are never negative.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.core.config import ProviderConfig
from tui.core.model import TaskRef, TaskSnapshot
from tui.core.summary import MAX_SUMMARY
from tui.providers.apig import ApigProvider
from tui.providers.base import Provider
from tui.providers.dms import DmsProvider
from tui.providers.errors import BODY_EXCERPT, ProviderError, excerpt, parse_error_body
from tui.providers.smint import SmintProvider

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
PROJECT = "0123456789abcdef0123456789abcdef"
CLASSES: dict[str, type[Provider]] = {"smint": SmintProvider, "dms": DmsProvider, "apig": ApigProvider}
REFS = {"smint": TaskRef("p", "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"),
        "dms": TaskRef("p", "8abfa7b272adc5b40172b73130065ae7", instance="inst"),
        "apig": TaskRef("p", "d6e8834b6f0f4711a2fa5345e5b60833", instance="gw")}
KEYS = {
    "smint": ["uuid", "state", "finished_percentage", "total_steps", "succeeded_steps", "failed_steps",
              "result_string"],
    "dms": ["id", "name", "user_name", "params", "status", "created_at", "updated_at"],
    "apig": ["id", "task_status", "task_type", "task_result", "success_count", "failure"],
}
STATES = ["created", "in_progress", "completed", "error", "CREATED", "EXECUTING", "SUCCESS", "FAILED",
          "waiting", "processing", "succeed", "failed", "\x1b]2;x\x07", "[/]"]

nasty_text = st.one_of(
    st.text(max_size=60),
    st.sampled_from(STATES),
    st.text(alphabet=st.sampled_from("\x00\x07\x1b\x9b[]/@$=\\\"'{}:,\u202e\ud800 ab"), max_size=40),
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-10**30, max_value=10**30),
                    st.floats(allow_nan=True, allow_infinity=True), nasty_text)
json_values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                             st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                           max_leaves=20)
# JSON held in strings, a few levels deep (the way results and params arrive).
encoded = st.recursive(json_values, lambda inner: inner.map(lambda v: json.dumps(v, allow_nan=True)), max_leaves=4)


@st.composite
def task_objects(draw: st.DrawFn, family: str) -> Any:
    keys = draw(st.lists(st.sampled_from(KEYS[family]), unique=True))
    obj = {key: draw(st.one_of(scalars, encoded, json_values)) for key in keys}
    if family == "dms":
        if draw(st.booleans()):
            obj["id"] = REFS["dms"].id
        return draw(st.one_of(st.just({"tasks": [obj], "task_count": "1"}),
                              st.fixed_dictionaries({"tasks": st.lists(st.one_of(st.just(obj), json_values),
                                                                       max_size=3)}),
                              json_values))
    return draw(st.one_of(st.just(obj), json_values))


def settings_for(family: str) -> ProviderConfig:
    kind = {"smint": "smint", "dms": "huawei-dms", "apig": "huawei-apig"}[family]
    return ProviderConfig(name="p", kind=kind, base_url="http://fuzz.invalid", project_id=PROJECT)


_PROVIDERS: dict[str, Provider] = {}


def parser(family: str) -> Provider:
    """One provider per family for snapshot_from_body (its HTTP client is never used)."""
    if family not in _PROVIDERS:
        _PROVIDERS[family] = CLASSES[family](settings_for(family), client=httpx.AsyncClient())
    return _PROVIDERS[family]


def check_snapshot(snap: TaskSnapshot) -> None:
    for text in (snap.raw_state, snap.title, snap.kind, snap.summary, snap.created or "", snap.updated or ""):
        assert UNSAFE.search(text) is None, text
    assert len(snap.summary) <= MAX_SUMMARY + 1 and len(snap.raw_state) <= 61 * 6
    assert snap.progress is None or 0.0 <= snap.progress <= 100.0
    if snap.steps is not None:
        assert snap.steps.done >= 0 and snap.steps.failed >= 0 and snap.steps.total > 0


def check_error(error: ProviderError) -> None:
    assert error.message and UNSAFE.search(str(error)) is None, str(error)
    assert len(error.message) < 2500 and (error.code is None or len(error.code) < 500)


@FUZZ
@given(st.sampled_from(sorted(CLASSES)), st.data())
def test_snapshot_from_any_json(family: str, data: st.DataObject) -> None:
    body = data.draw(task_objects(family))
    try:
        snap = parser(family).snapshot_from_body(REFS[family], body, json.dumps(body, allow_nan=True))
    except ProviderError as error:
        check_error(error)
    else:
        check_snapshot(snap)


@st.composite
def responses(draw: st.DrawFn, family: str) -> httpx.Response:
    status = draw(st.sampled_from([200, 200, 200, 201, 204, 301, 400, 401, 403, 404, 429, 500, 502, 503, 599]))
    kind = draw(st.sampled_from(["json", "bytes", "html", "encoded"]))
    if kind == "json":
        body = json.dumps(draw(task_objects(family)), allow_nan=True).encode("utf-8", "surrogatepass")
    elif kind == "encoded":  # JSON in another encoding (json.loads detects UTF-16/32; latin-1 is invalid)
        encoding = draw(st.sampled_from(["utf-16", "utf-32", "latin-1"]))
        body = json.dumps(draw(json_values), ensure_ascii=False).encode(encoding, "replace")
    elif kind == "html":
        body = f"<html><head><title>{draw(nasty_text)}</title></head><body>{draw(nasty_text)}</body>".encode(
            "utf-8", "surrogatepass")
    else:
        body = draw(st.binary(max_size=300))
    headers = {"content-type": draw(st.sampled_from(["application/json", "text/html", "text/plain", "",
                                                      "application/json; charset=latin-1"]))}
    if draw(st.booleans()):
        headers["retry-after"] = draw(st.one_of(st.sampled_from(["1", "inf", "nan", "-3", "1e999",
                                                                   "Wed, 21 Oct 2015 07:28:00 GMT"]),
                                                st.text(alphabet="0123456789.-e ", max_size=8)))
    return httpx.Response(status, content=body, headers=headers)


@FUZZ
@given(st.sampled_from(sorted(CLASSES)), st.data())
def test_whole_read_path_with_any_response(family: str, data: st.DataObject) -> None:
    response = data.draw(responses(family))

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(response.status_code, content=response.content, headers=response.headers)

    async def read() -> None:
        client = httpx.AsyncClient(transport=httpx.MockTransport(handler), base_url="http://fuzz.invalid")
        provider = CLASSES[family](settings_for(family), client=client)
        try:
            snap = await provider.fetch(REFS[family])
        except ProviderError as error:
            check_error(error)
            assert error.retry_after is None or 0.0 <= error.retry_after <= 3600.0
        else:
            check_snapshot(snap)
        finally:
            await client.aclose()

    asyncio.run(read())


@FUZZ
@given(st.one_of(st.binary(max_size=400), json_values.map(lambda v: json.dumps(v).encode()),
                 st.text(max_size=200).map(lambda t: f"<title>{t}</title>".encode("utf-8", "surrogatepass"))),
       st.sampled_from(["", "application/json", "text/html", "text/plain; charset=utf-8"]))
def test_error_body_parsers_never_raise(body: bytes, content_type: str) -> None:
    short = excerpt(body, content_type)
    assert short and "\n" not in short and UNSAFE.search(short) is None
    assert len(short) <= BODY_EXCERPT * 6 + 1
    code, message = parse_error_body(body, content_type)
    assert code is None or isinstance(code, str)
    assert isinstance(message, str)
    # What the row shows is made from these, and is always clean.
    check_error(ProviderError(f"server error: {message}", code=code, status=500))
