"""What the sign-in log benchmark (benchmarks/signin_logs.py) knows of each source: its log
path, the collector's pace, the vendor's documented limit and page size."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    """What the benchmark knows of one sign-in log source."""

    name: str
    log_path: str  # the path prefix of the log requests (what the limit counts)
    pace: int  # the collector's configured pace for them, requests a minute
    limit_per_minute: float  # the vendor's documented limit, as requests a minute
    limit_text: str  # ... as the vendor writes it, and where
    page_size: int  # events per page the collector asks for
    pacer: str  # the name of the collector's pacer its log requests wait for
    limit_per_10s: int | None = None  # a limit the vendor documents per 10 seconds


SOURCES: dict[str, Source] = {
    "okta": Source(
        "okta",
        "/api/v1/logs",
        50,
        50,
        "/api/v1/logs 50 requests/min per org on Enterprise (20 free developer, 25 One App, 120 "
        "Workforce Identity): developer.okta.com/docs/reference/rl-global-mgmt/",
        1000,
        "okta /api/v1/logs",
    ),
    "google_workspace": Source(
        "google_workspace",
        "/admin/",  # the Directory and Reports requests count in the same per-user quota
        2400,
        2400,
        "admin.googleapis.com 'Queries per minute per user' 2,400 by default, which the Reports "
        "API's activities.list counts in with the Directory API "
        "(developers.google.com/admin-sdk/directory/v1/limits; the Reports API's limits page, "
        "developers.google.com/admin-sdk/reports/v1/limits, gives no figure)",
        1000,
        "google_workspace",
    ),
    "entra": Source(
        "entra",
        "/v1.0/auditLogs/",
        24,
        30,
        "Graph identity and access reports (auditLogs signIns, directoryAudits): 5 requests per 10 s "
        "per app per tenant: learn.microsoft.com/graph/throttling-limits"
        "#identity-and-access-reports-service-limits",
        1000,
        "entra /auditLogs",
        5,
    ),
}
