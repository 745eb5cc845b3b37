"""internal_http endpoint tables are validated on load, errors naming the key."""

from __future__ import annotations

import pytest

from collectors.internal_http import InternalHttpCollector
from vaultward.config.settings import ConfigError, parse_settings

GOOD = {
    "name": "hr",
    "url": "https://hr.internal.example/api/people",
    "kind": "identity",
    "auth_env": "HR_API_AUTH",
    "constants": {"source": "hr"},
    "fields": {"key": "id", "email": "email"},
}


def load(*endpoints: dict) -> InternalHttpCollector:
    return InternalHttpCollector(
        parse_settings({"sources": {"internal_http": {"endpoints": list(endpoints)}}})
    )


def error(*endpoints: dict) -> str:
    with pytest.raises(ConfigError) as caught:
        load(*endpoints)
    return str(caught.value)


def test_a_valid_table_loads_and_names_its_scope_and_secret_variable():
    collector = load(GOOD, {**GOOD, "name": "lms", "auth_env": "LMS_AUTH"})
    assert [scope.id for scope in collector.scopes()] == ["internal_http:hr", "internal_http:lms"]
    assert InternalHttpCollector.credential_variables(collector.options) == ["HR_API_AUTH", "LMS_AUTH"]
    assert [kind.kind for kind in collector.produces] == ["identity", "identity"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"constants": {}},
            "sources.internal_http.endpoints[1].fields: record kind 'identity' needs 'source'",
        ),
        (
            {"fields": {"email": "email"}},
            "sources.internal_http.endpoints[1].fields: record kind 'identity' needs 'key'",
        ),
        (
            {"kind": "identity.user"},
            "sources.internal_http.endpoints[1].kind: unknown record kind 'identity.user' (expected one of ",
        ),
        (
            {"fields": {"key": "id", "mail": "email"}},
            "sources.internal_http.endpoints[1].fields: record kind 'identity' has no field 'mail'",
        ),
        (
            {"fields": {"key": "id", "email": "emails[0"}},
            "sources.internal_http.endpoints[1].fields: email: 'emails[0' is not a JMESPath expression",
        ),
        (
            {"constants": {"source": "hr", "key": "x"}},
            "sources.internal_http.endpoints[1].constants: 'key' must come from each item",
        ),
        (
            {"constants": {"source": "hr", "email": "x@y"}},
            "sources.internal_http.endpoints[1].fields: 'email' is both mapped and a constant",
        ),
        (
            {"paging": "cursor", "cursor_param": "cursor"},
            "sources.internal_http.endpoints[1].paging: paging 'cursor' needs cursor_field",
        ),
        (
            {"paging": "page", "page_param": "page"},
            "sources.internal_http.endpoints[1].paging: paging 'page' needs size_param, page_size",
        ),
        (
            {"paging": "scroll"},
            "sources.internal_http.endpoints[1].paging: Input should be 'none', 'link', 'cursor' or 'page'",
        ),
        (
            {"auth_env": "Bearer abc123"},
            # the value, likely the secret itself, is not shown
            "sources.internal_http.endpoints[1].auth_env: not an environment variable name (letters, digits "
            "and '_'; the secret itself never goes here) (value not shown: it may be a secret)",
        ),
        (
            {"url": "hr.internal"},
            "sources.internal_http.endpoints[1].url: expected a URL starting with https://",
        ),
        ({"name": "hr"}, "sources.internal_http.endpoints: endpoint name 'hr' is used twice"),
        ({"token": "x"}, "sources.internal_http.endpoints[1].token: unknown key"),
    ],
)
def test_errors_name_the_key(change, message):
    text = error(GOOD, {**GOOD, "name": "second", **change})
    assert message in text
    assert "abc123" not in text


def test_other_kinds_need_their_own_required_fields():
    wallet = {
        "name": "custody",
        "url": "https://c.example/w",
        "kind": "custody.wallet",
        "fields": {"key": "id"},
    }
    assert "record kind 'custody.wallet' needs 'provider'" in error(wallet)
    training = {**wallet, "kind": "training.record", "constants": {"source": "lms"}}
    assert "record kind 'training.record' needs 'module', 'person', 'status'" in error(training)
