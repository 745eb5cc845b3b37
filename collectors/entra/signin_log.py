"""The entra collector's sign-in and audit logs: the window's sign-ins (and, when configured,
the non-interactive ones from Graph beta) and the Authentication Methods audit entries, read
on from the stored cursor (`collectors/log_cursor.py`), then the `SigninLog` saying what was
read. A side listing: a refused or broken log leaves only `signin_event` / `signin_log`
incomplete; a refused credential (401) fails the Run."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol

from collectors.degrade import FAILURES
from collectors.entra import signin_mapper
from collectors.entra.client import NON_INTERACTIVE, GraphClient, error_status, graph_error_code
from collectors.log_cursor import plan
from vaultward.contract.records import Record, SigninEvent, SigninLog
from vaultward.contract.sdk import Problem, Scope


class EntraLogOptions(Protocol):
    """What of the source's options the logs read (`EntraOptions`)."""

    @property
    def tenant_id(self) -> str: ...
    @property
    def signin_log_days(self) -> int: ...
    @property
    def signin_log_non_interactive(self) -> bool: ...


# Microsoft reports 99% of sign-in and audit log entries within 5 minutes ("Microsoft Entra
# reporting latencies")
LOG_LAG = timedelta(minutes=5)
# A Run reading on from a cursor re-reads the two hours before the previous log's end: the
# 1% of entries later than LOG_LAG, up to the two hours after which Microsoft asks for a
# support ticket ("I can't find recent user sign-ins", Azure portal self-help).
LOG_OVERLAP = timedelta(hours=2)
# Graph v1.0 List signIns returns "sign-ins where a username and password are passed as part
# of authorization token, and successful federated sign-ins" (signin-list): not the
# non-interactive ones (a refresh or session token replayed), where a stolen session shows.
# The SigninLog says so, and the takeover check does not pass on it.
NOT_READ = (
    "non-interactive user sign-ins (Graph v1.0 auditLogs/signIns lists interactive ones only; "
    "signin_log_non_interactive reads them from the beta endpoint)",
)
# Entra keeps sign-in and audit logs 30 days with P1/P2 ("Microsoft Entra data retention");
# a complete sign-in log implies P1 (Graph refuses it without).
LOG_RETENTION = timedelta(days=30)


def read(
    client: GraphClient, scope: Scope, options: EntraLogOptions, now: datetime
) -> Iterator[Record | Problem]:
    """The sign-in log and the authentication-method audit entries of the window, then
    the `SigninLog` saying what was read; a side listing (see the class docstring)."""
    covers_from = now - timedelta(days=options.signin_log_days)
    # Entries of the last minutes may not be in the logs yet: the log vouches up to LOG_LAG ago
    covers_to = now - LOG_LAG
    key = f"entra:signin_log:{options.tenant_id}"
    non_interactive = options.signin_log_non_interactive
    event_types = (
        (*signin_mapper.EVENT_TYPES, NON_INTERACTIVE) if non_interactive else signin_mapper.EVENT_TYPES
    )
    cursor = plan(
        scope.prior,
        key,
        event_types,
        covers_from,
        covers_to,
        retention=LOG_RETENTION,
        overlap=LOG_OVERLAP,
    )
    since = cursor.read_from
    gaps: list[str] = []
    read = 0
    seen: set[str] = set()  # an entry a page boundary repeats is kept once (keys are unique in a Run)
    Pages = Callable[[], Iterator[list[dict[str, Any]]]]
    listings: list[tuple[str, Pages, Callable[[Mapping[str, Any]], SigninEvent | None]]] = [
        ("the sign-in log", lambda: client.sign_ins(since), signin_mapper.map_sign_in),
        (
            "the Authentication Methods audit log",
            lambda: client.authentication_method_audits(since),
            signin_mapper.map_audit,
        ),
    ]
    if non_interactive:
        listings.insert(
            1,
            (
                "the non-interactive sign-in log (beta)",
                lambda: client.non_interactive_sign_ins(since),
                signin_mapper.map_sign_in,
            ),
        )
    for what, pages, mapping in listings:
        try:
            for page in pages():
                for row in page:
                    try:
                        event = mapping(row)
                    except signin_mapper.Skipped as skipped:
                        gaps.append(str(skipped))
                        yield Problem(str(skipped), (SigninEvent.kind, SigninLog.kind))
                        continue
                    read += 1
                    if event is not None and event.key not in seen:
                        seen.add(event.key)
                        yield event.model_copy(update={"scope": scope.id})
        except FAILURES as error:
            if error_status(error) == 401:
                raise
            reason = _log_refusal(error, what)
            gaps.append(reason)
            yield Problem(reason, (SigninEvent.kind, SigninLog.kind))
    carried = yield from cursor.carry(seen, scope.id)
    log = SigninLog(
        key=key,
        name=f"Entra sign-in and audit logs of {options.tenant_id}",
        scope=scope.id,
        source="entra",
        covers_from=covers_from,
        covers_to=covers_to,
        events_read=read,
        complete=not gaps,
        reason="; ".join(gaps)[:2000],
        event_types=list(event_types),
        not_read=[] if non_interactive else list(NOT_READ),
    )
    yield cursor.stamped(log, carried)


# Graph's refusal of the sign-in log to a tenant without Entra ID P1 or P2
NON_PREMIUM = "Authentication_RequestFromNonPremiumTenantOrB2CTenant"


def _log_refusal(error: Exception, what: str) -> str:
    """Why a log could not be read: a licence or a permission refused (403), or a failure."""
    if error_status(error) == 403:
        code = graph_error_code(error)
        if code == NON_PREMIUM:
            return f"entra: {what}: Graph 403 {code}: sign-in logs need Entra ID P1 or P2"
        return (
            f"entra: {what}: Graph 403 {code or 'refused'}: grant the application permission "
            "AuditLog.Read.All"
        )
    return f"entra: {what} could not be read completely ({error})"
