"""The extension contract: checks and collectors, their metadata and their registry.

A check is one decorated pure function: it reads typed records from a `CheckContext` and
yields `Result`s. A collector is a class with a name, the record kinds it produces, the API
permissions it needs, and `collect(scope)` yielding records.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ValidationError

from vaultward.contract.context import CheckContext, RecordT
from vaultward.contract.records import Record
from vaultward.contract.vocabulary import (
    Mitigation,
    Severity,
    Status,
)

if TYPE_CHECKING:
    from vaultward.config.settings import Settings


# Namespaces a reference may use, and the shape of their ids.
REFERENCE_PATTERNS: dict[str, re.Pattern[str]] = {
    "attack": re.compile(r"^T\d{4}(\.\d{3})?$"),
    "attack-mitigation": re.compile(r"^M\d{4}$"),
    "ccss": re.compile(r"^v\d+:\d+(\.\d+)*$"),
    "cis-v8": re.compile(r"^\d{1,2}\.\d{1,2}$"),
    "nist-csf": re.compile(r"^[A-Z]{2}\.[A-Z]{2}-\d{2}$"),
    "seal": re.compile(r"^[a-z]+-\d+(\.\d+)*$"),
}
CHECK_ID = re.compile(r"^(custody|training|access|segmentation|detection)\.[a-z][a-z0-9_]*$")

__all__ = ["CheckContext", "RecordT"]  # re-exported: checks import the context from here


class CheckDefinitionError(ValueError):
    """A check's metadata is incomplete or malformed."""


@dataclass(frozen=True)
class Result:
    """What a check says about one resource."""

    resource: str
    status: Status
    reason: str
    evidence: Mapping[str, Any] = field(default_factory=dict)
    resource_name: str = ""
    scope: str = ""


def _result(status: Status, resource: Record | str, reason: str, evidence: dict) -> Result:
    if isinstance(resource, Record):
        return Result(resource.key, status, reason, evidence, resource.label, resource.scope)
    return Result(resource, status, reason, evidence, resource)


def passed(resource: Record | str, reason: str, **evidence: Any) -> Result:
    return _result("pass", resource, reason, evidence)


def failed(resource: Record | str, reason: str, **evidence: Any) -> Result:
    return _result("fail", resource, reason, evidence)


def unknown(resource: Record | str, reason: str, **evidence: Any) -> Result:
    return _result("unknown", resource, reason, evidence)


def not_applicable(resource: Record | str, reason: str, **evidence: Any) -> Result:
    """The resource was judged and the check does not apply to it (reported, not scored)."""
    return _result("skipped", resource, reason, evidence)


CheckFunction = Callable[[CheckContext], Iterable[Result]]


@dataclass(frozen=True)
class CheckSpec:
    id: str
    title: str
    mitigation: Mitigation
    severity: Severity
    weight: float
    reads: tuple[type[Record], ...]
    references: tuple[str, ...]
    remediation: str
    function: CheckFunction
    # The kinds whose every record the check's findings mention (pass, fail, unknown or not
    # applicable with the reason): the others it reads are context. A record is mentioned by
    # its key or by the person it belongs to (person-level checks). Default: the first kind
    # of `reads`.
    judges: tuple[type[Record], ...] = ()
    # Kept for plugins written before every check was treated this way: a check never judges
    # a population a listing gap left incomplete (see vaultward/pipeline/gaps.py).
    population: bool = False
    origin: str = "builtin"

    @property
    def risk(self) -> str:
        return " ".join((self.function.__doc__ or "").split())  # one paragraph, as shown

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(kind.kind for kind in self.reads)

    @property
    def judged_kinds(self) -> tuple[str, ...]:
        return tuple(kind.kind for kind in self.judges or self.reads[:1])

    def run(self, context: CheckContext) -> list[Result]:
        return list(self.function(context))


def parse_reference(reference: str) -> tuple[str, str]:
    """Split `namespace:id` and validate the id against the namespace's format."""
    namespace, _, ident = reference.partition(":")
    pattern = REFERENCE_PATTERNS.get(namespace)
    if pattern is None:
        raise CheckDefinitionError(
            f"reference {reference!r}: unknown namespace {namespace!r} "
            f"(expected one of {', '.join(sorted(REFERENCE_PATTERNS))})"
        )
    if not pattern.match(ident):
        raise CheckDefinitionError(f"reference {reference!r}: {ident!r} is not a {namespace} id")
    return namespace, ident


def check(
    *,
    id: str,
    title: str,
    mitigation: Mitigation,
    severity: Severity,
    weight: float,
    reads: Iterable[type[Record]],
    references: Iterable[str],
    remediation: str,
    population: bool = False,
    judges: Iterable[type[Record]] | None = None,
) -> Callable[[CheckFunction], CheckFunction]:
    """Declare a check. The decorated function keeps working as a plain function; its spec
    is attached as `function.check` for discovery.

    `judges` names the kinds (of `reads`; default its first) whose every collected record
    the findings mention: a record out of the check's scope (suspended, a machine, another
    vendor's wallet) is reported `not_applicable` with the reason, never silently passed
    over. The other kinds read are context."""

    def declare(function: CheckFunction) -> CheckFunction:
        problems = []
        if not CHECK_ID.match(id):
            problems.append(f"id {id!r} must look like '<mitigation>.<snake_case_name>'")
        elif not id.startswith(f"{mitigation}."):
            problems.append(f"id {id!r} must start with its mitigation {mitigation!r}")
        if not title.strip():
            problems.append("title is empty")
        if not remediation.strip():
            problems.append("remediation is empty")
        if not (function.__doc__ or "").strip():
            problems.append("docstring (the risk, in a sentence or two) is missing")
        if weight <= 0:
            problems.append(f"weight must be positive, got {weight}")
        reads_tuple = tuple(reads)
        if not reads_tuple:
            problems.append("reads names no record kind")
        judges_tuple = tuple(judges) if judges is not None else reads_tuple[:1]
        if judges is not None and not judges_tuple:
            problems.append("judges names no record kind")
        unread = [kind.kind for kind in judges_tuple if kind not in reads_tuple]
        if unread:
            problems.append(f"judges {', '.join(unread)}, which reads does not name")
        references_tuple = tuple(references)
        for reference in references_tuple:
            try:
                parse_reference(reference)
            except CheckDefinitionError as error:
                problems.append(str(error))
        if problems:
            raise CheckDefinitionError(f"check {id!r} ({function.__module__}): " + "; ".join(problems))
        function.check = CheckSpec(  # type: ignore[attr-defined]
            id=id,
            title=title,
            mitigation=mitigation,
            severity=severity,
            weight=float(weight),
            reads=reads_tuple,
            references=references_tuple,
            remediation=remediation.strip(),
            function=function,
            population=population,
            judges=judges_tuple,
        )
        return function

    return declare


# --- collectors ----------------------------------------------------------------------------


PRIOR_CHUNK = 1000  # facts per compressed chunk of a Prior


@dataclass(frozen=True)
class Prior:
    """What the scope's latest usable Run (status ok or partial) stored of the kinds its
    collector `carries_forward`: read-only, loaded by the runner before it collects, so a
    collector can read on from a stored cursor without touching the store. Empty: there is
    none (first Run, a store that could not be read), and the collector reads in full.

    Each fact is kept as its compact JSON text (key and scope in it), by kind, a thousand
    to a zlib-compressed chunk, and typed only when `of` reaches it: 100,000 carried sign-in
    events are a few MiB so, some 75 MiB as text, and over 160 MiB as typed records."""

    run_id: int | None = None
    chunks: Mapping[str, tuple[bytes, ...]] = field(default_factory=lambda: MappingProxyType({}), hash=False)
    counts: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}), hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "chunks", MappingProxyType({k: tuple(v) for k, v in self.chunks.items()}))
        object.__setattr__(self, "counts", MappingProxyType(dict(self.counts)))

    @classmethod
    def of_texts(cls, run_id: int | None, facts: Iterable[tuple[str, str]]) -> Prior:
        """A prior of `(kind, compact JSON text)` facts, read one at a time (a stream of rows)."""
        pending: dict[str, list[str]] = {}
        chunks: dict[str, list[bytes]] = {}
        counts: dict[str, int] = {}

        def pack(kind: str) -> None:
            chunks.setdefault(kind, []).append(zlib.compress("\n".join(pending.pop(kind)).encode()))

        for kind, text in facts:
            if "\n" in text:
                continue  # not compact JSON: it could not be split back
            pending.setdefault(kind, []).append(text)
            counts[kind] = counts.get(kind, 0) + 1
            if len(pending[kind]) >= PRIOR_CHUNK:
                pack(kind)
        for kind in list(pending):
            pack(kind)
        return cls(run_id, {k: tuple(v) for k, v in chunks.items()}, counts)

    @classmethod
    def holding(cls, run_id: int | None, records: Iterable[Record]) -> Prior:
        """A prior of these records (as the runner would load them from the store)."""
        return cls.of_texts(run_id, ((record.kind, record.model_dump_json()) for record in records))

    def texts(self, kind: type[Record]) -> Iterator[str]:
        """The facts of `kind` as stored, a chunk decompressed at a time."""
        for chunk in self.chunks.get(kind.kind, ()):
            yield from zlib.decompress(chunk).decode().split("\n")

    def of(self, kind: type[RecordT]) -> Iterator[RecordT]:
        """The facts of `kind`, typed one at a time as they are reached; a fact that no
        longer validates is skipped (the collector then reads that part in full)."""
        for text in self.texts(kind):
            try:
                yield kind.model_validate_json(text)
            except ValidationError:
                continue

    def count(self, kind: type[Record]) -> int:
        """How many facts of `kind` it holds (valid or not)."""
        return self.counts.get(kind.kind, 0)


NO_PRIOR = Prior()


@dataclass(frozen=True)
class Scope:
    """One unit of collection: an AWS account x region, a tenant, a wallet set. `prior` is
    set by the runner for the one collection it hands the scope to (see `Prior`)."""

    collector: str
    id: str  # e.g. "111122223333/eu-west-1"
    params: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    prior: Prior = field(default=NO_PRIOR, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class Problem:
    """A non-fatal collection error: the Run continues but is `partial`.

    Say what it leaves out (see vaultward/pipeline/gaps.py): `kinds` whose records may be missing
    (none named: every kind the collector produces), or `fields` ("identity.mfa_enforced")
    left unknown on records that are all there, because a side request failed. The records
    then hold None for those fields and only the checks reading them turn `unknown`."""

    reason: str
    kinds: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()


class IncompleteListing(Exception):
    """A paginated listing broke off after some pages (a page failed after its retries, or
    the paging did not end). What the collector yielded before it stands, and the Run is
    `partial`; the checks reading what the collector produces use the last complete
    population of the scope, carried forward, or turn `unknown` for it. `kinds` names
    the kinds the break can have cut short (none: every kind the collector produces)."""

    def __init__(self, message: str, kinds: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.kinds = kinds


class Collector:
    """Base of every collector. Subclasses set the class attributes, list their scopes and
    yield records (or `Problem`s for non-fatal gaps) per scope. Only collectors do I/O, and
    they never touch the store: the runner persists what they yield."""

    name: ClassVar[str]
    title: ClassVar[str]
    produces: ClassVar[tuple[type[Record], ...]]
    permissions: ClassVar[tuple[str, ...]] = ()  # API actions used, for least-privilege policies
    # Credential fields -> the environment variable read when `credentials_env` names none.
    # Their values are masked in every log line, error and report.
    credentials: ClassVar[dict[str, str]] = {}
    # Sources that need their own settings (a SaaS tenant URL) run only once configured.
    enabled_by_default: ClassVar[bool] = True
    # The collector's own keys in `[sources.<name>]` (base URL, wallets, ...), validated on load.
    options_model: ClassVar[type[BaseModel] | None] = None
    # Shared sections the collector reads (`{"aws": AwsOptions}`), each validated whole by its model.
    section_models: ClassVar[Mapping[str, type[BaseModel]]] = {}
    # SaaS sources: the vendor's documented request rate (per minute) collection keeps under,
    # unless `[sources.<name>] rate_limit_per_minute` says otherwise; None: no steady pace.
    rate_limit_per_minute: ClassVar[int | None] = None
    # Kinds the runner hands back (the latest usable Run's facts of them, as `scope.prior`)
    # so the collector can read on from where that Run stopped: a sign-in log's cursor.
    carries_forward: ClassVar[tuple[type[Record], ...]] = ()

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.source = settings.source(self.name)
        self.options: Any = settings.source_options(self.name, self.options_model)

    def scopes(self) -> list[Scope]:
        raise NotImplementedError

    def collect(self, scope: Scope) -> Iterator[Record | Problem]:
        raise NotImplementedError
