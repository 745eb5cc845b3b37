"""Bounded configuration values, defined once and reused by every section and collector: each
string a configuration gives has a length limit and no control or invisible formatting
characters (Unicode Cc, Cf, Zl, Zp: a U+202E would turn a name around on a terminal), and
values with a shape (AWS regions and account ids, e-mail addresses, URLs, variable names)
are checked against it. What reaches the store fits its columns: the limits below are the
columns' lengths in vaultward/store/models.py (the config sits below the store, so it cannot
read them; tests/test_config_bounds.py checks they agree).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    HttpUrl,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)

# Store columns a configured value reaches (vaultward/store/models.py).
SCOPE_LENGTH = 300  # Run.scope, Fact.scope, RoundTask.scope: "<prefix>:<configured value>"
COLLECTOR_LENGTH = 100  # Run.collector, CollectionRound.collector: a source's name
ACTOR_LENGTH = 200  # AuditEvent.actor (an admin's e-mail), Waiver.owner (an owner)

NAME_LENGTH = 200  # names, labels, tags, owners
TEXT_LENGTH = 1000  # free text: patterns, expressions, prefixes
URL_LENGTH = 2048
HOST_LENGTH = 253  # a DNS name
PATH_LENGTH = 4096  # PATH_MAX on Linux
ENV_NAME_LENGTH = 200
REGION_LENGTH = 50
DAYS = 36_500  # the longest a number of days may be: a hundred years

FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})

# Every AWS partition's `regionRegex` in botocore's endpoints data (botocore/data/partitions.json;
# a test checks this list against the installed botocore). ASCII only: `\w` and `\d` of
# Python's re would take any script's letters and digits.
AWS_REGION_PATTERNS = (
    r"^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$",
    r"^cn\-\w+\-\d+$",
    r"^eusc\-(de)\-\w+\-\d+$",
    r"^us\-iso\-\w+\-\d+$",
    r"^us\-isob\-\w+\-\d+$",
    r"^eu\-isoe\-\w+\-\d+$",
    r"^us\-isof\-\w+\-\d+$",
    r"^us\-gov\-\w+\-\d+$",
)
AWS_REGION = re.compile("|".join(f"(?:{p})" for p in AWS_REGION_PATTERNS), re.ASCII)
ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_HTTP_URL: TypeAdapter[HttpUrl] = TypeAdapter(HttpUrl)
NOT_A_URL = "expected a URL starting with https:// (or http://)"


def printable(value: str) -> str:
    """`value`, refused if it holds a control or invisible formatting character."""
    for position, char in enumerate(value):
        if unicodedata.category(char) in FORBIDDEN_CATEGORIES:
            raise ValueError(
                f"control or invisible formatting character U+{ord(char):04X} at position {position}"
            )
    return value


@dataclass(frozen=True)
class Bounded(StringConstraints):
    """A string's bounds, for `Annotated[str, Bounded(max_length=...)]`: pydantic's
    `StringConstraints` (length, stripping, pattern), and printable."""

    def __iter__(self) -> Iterator[Any]:  # metadata and a validator
        yield from super().__iter__()
        yield AfterValidator(printable)


def scope_part(prefix: str) -> Bounded:
    """Bounds of a value a collector's scope id is made of, `<prefix><value>`: short enough for
    the id to fit the store's scope columns."""
    return Bounded(max_length=SCOPE_LENGTH - len(prefix), min_length=1, strip_whitespace=True)


def _region(value: str) -> str:
    if not AWS_REGION.fullmatch(value):  # fullmatch: `$` would take a trailing newline
        raise ValueError("not an AWS region like us-east-1 or eu-central-1")
    return value


def _account_id(value: str) -> str:
    if not ACCOUNT_ID.fullmatch(value):
        raise ValueError("not a 12-digit AWS account id")
    return value


def _env_name(value: str) -> str:
    if not ENV_NAME.fullmatch(value):
        raise ValueError(
            "not an environment variable name (letters, digits and '_'; the secret itself never goes here)"
        )
    return value


def _email(value: str) -> str:
    if not EMAIL.fullmatch(value):
        raise ValueError("not an e-mail address")
    return value


def url_problem(value: str) -> str | None:
    """Why `value` is not a usable http(s) URL, or None: a scheme http or https and a host
    (pydantic's `HttpUrl`), at most URL_LENGTH characters, a host a DNS name can be, and no
    user or password (secrets go in environment variables, never in the file)."""
    if len(value) > URL_LENGTH:
        return f"longer than {URL_LENGTH} characters"
    try:
        printable(value)
        _HTTP_URL.validate_python(value)
        parts = urlsplit(value)
    except (ValidationError, ValueError):
        return NOT_A_URL
    if parts.username is not None or parts.password is not None:
        return "a user or password in a URL is not allowed (name an environment variable instead)"
    if len(parts.hostname or "") > HOST_LENGTH:
        return f"its host is longer than {HOST_LENGTH} characters"
    return None


def _url(value: str) -> str:
    problem = url_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def path_text(value: Any) -> Any:
    """A path as written, refused when over-long or holding a control character."""
    if isinstance(value, str | Path):
        text = str(value)
        if len(text) > PATH_LENGTH:
            raise ValueError(f"a path longer than {PATH_LENGTH} characters")
        printable(text)
    return value


Name = Annotated[str, Bounded(max_length=NAME_LENGTH, min_length=1, strip_whitespace=True)]
Label = Annotated[str, Bounded(max_length=NAME_LENGTH)]
Text = Annotated[str, Bounded(max_length=TEXT_LENGTH)]
Region = Annotated[str, StringConstraints(max_length=REGION_LENGTH), AfterValidator(_region)]
AccountId = Annotated[str, StringConstraints(max_length=12), AfterValidator(_account_id)]
EnvName = Annotated[str, StringConstraints(max_length=ENV_NAME_LENGTH), AfterValidator(_env_name)]
Email = Annotated[str, Bounded(max_length=ACTOR_LENGTH, strip_whitespace=True), AfterValidator(_email)]
WebUrl = Annotated[str, StringConstraints(max_length=URL_LENGTH), AfterValidator(_url)]
BoundedPath = Annotated[Path, BeforeValidator(path_text)]
# Regions to collect in, each once (a scope is an account x region: a region written twice
# would be two equal scopes).
Regions = Annotated[
    list[Region], Field(min_length=1, max_length=100), AfterValidator(lambda v: list(dict.fromkeys(v)))
]
SourceName = Annotated[str, Bounded(max_length=COLLECTOR_LENGTH, min_length=1)]
