"""The record base class and the kind registry: every fact kind is a `Record` subclass."""

from __future__ import annotations

from typing import Any, ClassVar, Literal, TypeVar

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, model_validator

Zone = Literal["production", "corporate", "internet", "unknown"]


def recorded_zone_field(old_name: str = "zone", default: Any = None) -> Any:
    """The field of a zone a collector recorded before issue 17, when the AWS mappers still
    applied `policy.zones`. Current collectors leave it None: a zone is derived at evaluation
    from the fact's observations under the evaluation's policy (`vaultward.derived.zones`),
    and a recorded zone only stands in where no rule of that policy classifies the fact (so
    an older fact is judged as it was, never better). Stored facts carry it under `old_name`."""
    return Field(default=default, validation_alias=AliasChoices(old_name, f"recorded_{old_name}"))


# Factor kinds that resist phishing (FIDO2/WebAuthn/U2F security keys, platform passkeys).
PHISHING_RESISTANT_FACTORS = frozenset({"u2f", "webauthn", "fido2", "passkey", "smart_card"})
# Every other factor kind a mapper may record. A vendor value outside both sets is kept as
# "other:<vendor value>" and listed in the identity's `anomalies`, never dropped.
OTHER_FACTORS = frozenset(
    {"virtual", "hardware_totp", "totp", "push", "sms", "voice", "email", "security_question", "password"}
)

RECORD_KINDS: dict[str, type[Record]] = {}

R = TypeVar("R", bound="Record")


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd") if "\x00" in value else value
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_without_nul(v) for v in value)
    if isinstance(value, BaseModel):  # a nested model built by a mapper (an ACL entry): validated again
        return _without_nul(value.model_dump())
    return value


class Record(BaseModel):
    """One observed thing. `key` is the stable resource id; `scope` is set by the runner."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    kind: ClassVar[str]
    key: str
    name: str = ""
    scope: str = ""

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, values: Any) -> Any:
        """NUL characters become U+FFFD: PostgreSQL text cannot hold them, and one vendor
        string must not fail the storing of a whole Run."""
        # repr shows a NUL as the four characters \x00: one C-speed scan spares the walk over
        # every value of every fact when there is none (a literal "\x00" text only costs the walk).
        if "\\x00" not in repr(values):
            return values
        return _without_nul(values)

    @property
    def label(self) -> str:
        return self.name or self.key

    def data(self) -> dict:
        """The JSON stored in `Fact.data` (scope and key live in their own columns)."""
        return self.model_dump(mode="json", exclude={"scope"})


def record_kind(kind: str):
    """Register a record class under its fact kind (e.g. `identity`, `okta.policy`)."""

    def register(cls: type[R]) -> type[R]:
        existing = RECORD_KINDS.get(kind)
        if existing is not None and existing is not cls:
            raise ValueError(f"record kind {kind!r} is already registered by {existing.__name__}")
        cls.kind = kind
        RECORD_KINDS[kind] = cls
        return cls

    return register


def record_class(kind: str) -> type[Record]:
    try:
        return RECORD_KINDS[kind]
    except KeyError:
        raise KeyError(f"unknown record kind {kind!r}") from None


@record_kind("collection.scope")
class CollectionScope(Record):
    """A scope a collector listed (an account, an account x region): stored by the discovery
    Run, so scopes no longer listed stop counting."""


@record_kind("unreadable")
class Unreadable(Record):
    """A configured resource the collector could not read: stands in for the record of kind
    `of_kind` and key `key` it would have produced, so the resource is never just absent."""

    of_kind: str
    reason: str
