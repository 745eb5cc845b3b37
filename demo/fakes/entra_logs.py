"""The loopback Entra's sign-in and directory audit logs (demo/fakes/entra.py): `GET
/v1.0/auditLogs/signIns` (interactive sign-ins), `GET /beta/auditLogs/signIns` with the
`signInEventTypes` filter (non-interactive ones, which only beta lists), and `GET
/v1.0/auditLogs/directoryAudits`, each answering only the `$filter` the collector sends
(anything else is Graph's 400), newest first, paged by `@odata.nextLink`; 403
`Authentication_RequestFromNonPremiumTenantOrB2CTenant` for a tenant without Entra ID P1/P2."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from demo.fakes.server import Reply, Request

if TYPE_CHECKING:
    from demo.fakes.entra import GraphFake

SIGN_INS_PATH = "/v1.0/auditLogs/signIns"
BETA_SIGN_INS_PATH = "/beta/auditLogs/signIns"
DIRECTORY_AUDITS_PATH = "/v1.0/auditLogs/directoryAudits"
# The `$filter`s the fake understands (the collector's): anything else is Graph's 400
SIGN_INS_FILTER = re.compile(r"^createdDateTime ge (?P<since>\S+)$")
BETA_SIGN_INS_FILTER = re.compile(
    r"^createdDateTime ge (?P<since>\S+) and signInEventTypes/any\(t: t eq '(?P<type>[A-Za-z]+)'\)$"
)
# Properties of the beta signIn that v1.0 does not have: not in its answers
BETA_ONLY = ("signInEventTypes",)
AUDITS_FILTER = re.compile(
    r"^activityDateTime ge (?P<since>\S+) and loggedByService eq '(?P<service>[^']*)'$"
)


def graph_error(status: int, code: str, message: str) -> Reply:
    inner = {"date": "2026-11-24T00:00:00", "request-id": "00000000-0000-0000-0000-000000000000"}
    return Reply(status, {"error": {"code": code, "message": message, "innerError": inner}})


def route_logs(graph: GraphFake, data: dict[str, Any], premium: bool) -> None:
    """The log routes on `graph`'s API, answering from `data["sign_ins"]` and
    `data["directory_audits"]`."""
    refused, paged = graph.refused, graph.paged

    def log_filter(request: Request, pattern: re.Pattern[str]) -> re.Match[str] | Reply:
        """The request's `$filter` matched against the one the fake understands, else Graph's 400."""
        match = pattern.match(request.query.get("$filter", ""))
        if match is None:
            return graph_error(400, "BadRequest", "Invalid filter clause")
        try:
            since(match)
        except ValueError:
            return graph_error(400, "BadRequest", "Invalid filter clause: not a DateTimeOffset")
        return match

    def since(match: re.Match[str]) -> datetime:
        return datetime.fromisoformat(match["since"].replace("Z", "+00:00"))

    def newest_first(rows: list[dict[str, Any]], field: str, start: datetime) -> list[dict[str, Any]]:
        kept = [row for row in rows if _moment(row[field]) >= start]
        return sorted(kept, key=lambda row: _moment(row[field]), reverse=True)

    def sign_ins(request: Request) -> Reply:
        if (error := refused(request, "AuditLog.Read.All")) is not None:
            return error
        if not premium:
            return graph_error(
                403,
                "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
                "Neither tenant is B2C or tenant doesn't have premium license",
            )
        beta = request.path == BETA_SIGN_INS_PATH
        match = log_filter(request, BETA_SIGN_INS_FILTER if beta else SIGN_INS_FILTER)
        if isinstance(match, Reply):
            return match
        # v1.0 (and beta without the filter) lists interactive sign-ins only; a row names its
        # types in `signInEventTypes` (beta), interactiveUser when it names none
        wanted = match["type"] if beta else "interactiveUser"
        rows = [
            row if beta else {k: v for k, v in row.items() if k not in BETA_ONLY}
            for row in data.get("sign_ins", [])
            if wanted in row.get("signInEventTypes", ["interactiveUser"])
        ]
        rows = newest_first(rows, "createdDateTime", since(match))
        return paged(request, request.path, rows, "auditLogs/signIns", "AuditLog.Read.All", keep_query=True)

    def directory_audits(request: Request) -> Reply:
        match = log_filter(request, AUDITS_FILTER)
        if isinstance(match, Reply):
            return refused(request, "AuditLog.Read.All") or match
        rows = [r for r in data.get("directory_audits", []) if r.get("loggedByService") == match["service"]]
        rows = newest_first(rows, "activityDateTime", since(match))
        context = "auditLogs/directoryAudits"
        return paged(request, DIRECTORY_AUDITS_PATH, rows, context, "AuditLog.Read.All", keep_query=True)

    graph.api.route("GET", SIGN_INS_PATH, sign_ins)
    graph.api.route("GET", BETA_SIGN_INS_PATH, sign_ins)
    graph.api.route("GET", DIRECTORY_AUDITS_PATH, directory_audits)


def _moment(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
