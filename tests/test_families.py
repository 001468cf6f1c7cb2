"""The family declarations are the one source: the registry, config validation and auth construction follow them."""

from __future__ import annotations

import pytest

from tui.core.auth_schema import AUTH_SCHEMA, AUTH_TYPES
from tui.core.families import FAMILIES, KINDS, KINDS_WITH_INSTANCE, family_named, family_of
from tui.core.providers_config import parse_providers
from tui.core.taskids import check_instance, check_task_id
from tui.providers import auth
from tui.providers.registry import REGISTRY, provider_class


def test_every_family_has_exactly_one_provider_class_pointing_back() -> None:
    assert set(REGISTRY) == set(FAMILIES)
    for kind, family in FAMILIES.items():
        assert provider_class(kind).family is family
        assert family_named(family.name) is family


def test_instance_kinds_and_auth_types_come_from_the_declarations() -> None:
    assert KINDS == tuple(FAMILIES)
    assert KINDS_WITH_INSTANCE == {k for k, f in FAMILIES.items() if f.needs_instance}
    for family in FAMILIES.values():
        assert set(family.auth_types) <= set(AUTH_SCHEMA)
    assert auth.AUTH_TYPES == AUTH_TYPES


@pytest.mark.parametrize("kind", KINDS)
def test_validation_accepts_exactly_the_declared_auth_types(kind: str) -> None:
    project = 'project_id = "p"\n' if family_of(kind).needs_instance else ""  # type: ignore[union-attr]
    for auth_type in AUTH_TYPES:
        text = f'[providers.x]\nkind = "{kind}"\nbase_url = "http://h"\n{project}auth = {{ type = "{auth_type}" }}\n'
        parsed, problems = parse_providers(text)
        messages = " ".join(p.message for p in problems)
        refused = f"does not apply to {kind}" in messages
        assert refused == (auth_type not in family_of(kind).auth_types), (auth_type, messages)  # type: ignore[union-attr]


@pytest.mark.parametrize("auth_type", AUTH_TYPES)
def test_validation_and_construction_take_the_same_keys(auth_type: str) -> None:
    """Every key the schema allows passes both; one it does not is refused by both."""
    spec = AUTH_SCHEMA[auth_type]
    kind = next(k for k, f in FAMILIES.items() if auth_type in f.auth_types)
    project = 'project_id = "p"\n' if family_of(kind).needs_instance else ""  # type: ignore[union-attr]
    for extra in ("bogus_key", *sorted(spec.keys - {"type"})):
        text = (f'[providers.x]\nkind = "{kind}"\nbase_url = "http://h"\n{project}'
                f'auth = {{ type = "{auth_type}", {extra} = "V" }}\n')
        _, problems = parse_providers(text)
        unknown_in_config = any(extra in p.key and "unknown" in p.message for p in problems)
        try:
            auth._check_keys(auth_type, {"type": auth_type, extra: "V"})
            unknown_in_auth = False
        except ValueError:
            unknown_in_auth = True
        assert unknown_in_config == unknown_in_auth == (extra == "bogus_key"), (extra, problems)


def test_id_rules_follow_the_declarations() -> None:
    for kind, family in FAMILIES.items():
        assert (check_instance(kind, None) is not None) == family.needs_instance
        assert (check_instance(kind, "inst-1") is None) == family.needs_instance
        problem = check_task_id(kind, "not/an-id")
        assert problem is not None and family.task_id_hint in problem
