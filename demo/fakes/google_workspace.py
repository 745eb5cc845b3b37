"""A loopback Google Workspace: the OAuth token endpoint (JWT-bearer grant, checked against
the service account's public key, one token per delegated scope), the Admin SDK Directory
API's user list and the Reports API's activities (login, user_accounts and admin audit), with Google's
documented shapes: `admin#directory#users` pages with `nextPageToken`, `maxResults` 1-500,
`admin#reports#activities` pages (`maxResults` 1-1000, newest first, `startTime` / `endTime`
/ `eventName` honoured), `{"error": {"code", "message", "errors", "status"}}` error bodies,
403 `userRateLimitExceeded` for quotas, `lastLoginTime` 1970-01-01 for "never".
Activities: https://developers.google.com/admin-sdk/reports/reference/rest/v1/activities/list
"""

from __future__ import annotations

import base64
import json
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from demo.fakes.google_workspace_reports import _login as _login
from demo.fakes.google_workspace_reports import _rfc3339 as _rfc3339
from demo.fakes.google_workspace_reports import activity as activity
from demo.fakes.google_workspace_reports import demo_login_activities, demo_user_accounts_activities
from demo.fakes.google_workspace_reports import parameter as parameter
from demo.fakes.server import FakeApi, RateLimit, Reply, Request

TOKEN_PATH = "/token"  # noqa: S105 - a path
USERS_PATH = "/admin/directory/v1/users"
ACTIVITIES_PATH = "/admin/reports/v1/activity/users/all/applications/"
DIRECTORY_SCOPE = "https://www.googleapis.com/auth/admin.directory.user.readonly"
REPORTS_SCOPE = "https://www.googleapis.com/auth/admin.reports.audit.readonly"
# Some of activities.list's applicationName values (any other is refused, as Google does).
APPLICATIONS = frozenset({"access_transparency", "admin", "calendar", "drive", "groups", "login", "mobile",
                          "saml", "token", "user_accounts"})  # fmt: skip
JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
DEMO_CLIENT_EMAIL = "vaultward-reader@acme-security.iam.gserviceaccount.com"
NEVER = "1970-01-01T00:00:00.000Z"


def make_service_account_key(client_email: str = DEMO_CLIENT_EMAIL) -> tuple[dict[str, str], str]:
    """A fresh service-account JSON key (as Google's console downloads it) and the PEM of
    its public half, for the fake. Generated at run time: no private key is ever committed."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    key = {
        "type": "service_account",
        "project_id": "acme-security",
        "private_key_id": "0f1e2d3c4b5a69788796a5b4c3d2e1f001234567",
        "private_key": private_pem,
        "client_email": client_email,
        "client_id": "104200000000000000001",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    return key, public_pem


def google_error(code: int, message: str, status: str, reason: str, domain: str = "global") -> Reply:
    body = {
        "error": {
            "code": code,
            "message": message,
            "errors": [{"message": message, "domain": domain, "reason": reason}],
            "status": status,
        }
    }
    return Reply(code, body)


def oauth_error(status: int, error: str, description: str) -> Reply:
    return Reply(status, {"error": error, "error_description": description})


def rate_limited() -> Reply:
    """What the Directory API answers when the per-user quota is exceeded."""
    return google_error(
        403,
        "Quota exceeded for quota metric 'Queries'",
        "PERMISSION_DENIED",
        "userRateLimitExceeded",
        "usageLimits",
    )


def directory_rate_limit(requests: int = 2400, window: float = 60.0) -> RateLimit:
    """The Directory API's per-user quota (2,400 queries a minute by default), answered with
    403 `userRateLimitExceeded` as Google documents."""
    return RateLimit(requests, window, refuse=lambda _limit, _reset, _now: rate_limited())


def _page_token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")


def _offset(token: str) -> int:
    padded = token + "=" * (-len(token) % 4)
    return int(json.loads(base64.urlsafe_b64decode(padded))["o"])


def make_google_workspace_fake(
    data: dict[str, Any],
    public_key: str,
    client_email: str = DEMO_CLIENT_EMAIL,
    token: str = "ya29.fake-directory-access-token",  # noqa: S107 - the fake's own token
    page_size: int = 100,
    granted: Collection[str] = (DIRECTORY_SCOPE, REPORTS_SCOPE),
) -> FakeApi:
    """`data`: {"customer_id", "users": [Directory user resources], "activities":
    {application: [activity resources]}}. `page_size` caps a page below the requested
    `maxResults`, as Google may return fewer. `granted`: the scopes the domain-wide
    delegation allows; a token request for any other is refused, as Google does."""
    users: list[dict[str, Any]] = data["users"]
    activities: dict[str, list[dict[str, Any]]] = data.get("activities", {})
    state: dict[str, str] = {}
    # The token issued for each scope (a Reports token does not open the Directory API).
    tokens = {DIRECTORY_SCOPE: token, REPORTS_SCOPE: f"{token}-reports"}
    api = FakeApi(authorised=lambda request: True)  # each handler answers in Google's shape

    def issue_token(request: Request) -> Reply:
        form = {k: v[-1] for k, v in parse_qs(request.body.decode()).items()}
        if form.get("grant_type") != JWT_BEARER_GRANT:
            return oauth_error(400, "unsupported_grant_type", f"Invalid grant_type: {form.get('grant_type')}")
        try:
            claims = jwt.decode(
                form.get("assertion", ""),
                public_key,
                algorithms=["RS256"],
                audience=api.base_url + TOKEN_PATH,
                options={"require": ["iss", "aud", "exp", "iat", "scope"]},
            )
        except jwt.InvalidSignatureError:
            return oauth_error(400, "invalid_grant", "Invalid JWT Signature.")
        except jwt.ExpiredSignatureError:
            return oauth_error(400, "invalid_grant", "Invalid JWT: Token must be a short-lived token")
        except jwt.PyJWTError as error:
            return oauth_error(400, "invalid_grant", f"Invalid JWT: {type(error).__name__}")
        if claims["iss"] != client_email:
            return oauth_error(401, "invalid_client", "The OAuth client was not found.")
        requested = str(claims["scope"]).split()
        if len(requested) != 1 or requested[0] not in tokens or requested[0] not in granted:
            return oauth_error(
                401,
                "unauthorized_client",
                "Client is unauthorized to retrieve access tokens using this method, or client not "
                "authorized for any of the scopes requested.",
            )
        subject = str(claims.get("sub") or "")
        if not any(u["primaryEmail"].lower() == subject.lower() for u in users):
            return oauth_error(400, "invalid_grant", "Invalid email or User ID")
        state["subject"] = subject.lower()
        issued = tokens[requested[0]]
        return Reply(200, {"access_token": issued, "expires_in": 3599, "token_type": "Bearer"})

    def refused(request: Request, scope: str) -> Reply | None:
        """Google's answer to a request without a valid token for `scope` or by a subject
        who is not an administrator; None when it may go on."""
        sent = request.headers.get("authorization", "")
        if sent not in {f"Bearer {issued}" for issued in tokens.values()}:
            return google_error(
                401,
                "Request had invalid authentication credentials. Expected OAuth 2 access token.",
                "UNAUTHENTICATED",
                "authError",
            )
        if sent != f"Bearer {tokens[scope]}":
            return google_error(
                403,
                "Request had insufficient authentication scopes.",
                "PERMISSION_DENIED",
                "insufficientPermissions",
            )
        subject = next((u for u in users if u["primaryEmail"].lower() == state.get("subject")), None)
        if subject is None or not (subject.get("isAdmin") or subject.get("isDelegatedAdmin")):
            return google_error(
                403, "Not Authorized to access this resource/api", "PERMISSION_DENIED", "forbidden"
            )
        return None

    def list_users(request: Request) -> Reply:
        refusal = refused(request, DIRECTORY_SCOPE)
        if refusal is not None:
            return refusal
        customer, domain = request.query.get("customer"), request.query.get("domain")
        if domain:
            selected = [u for u in users if u["primaryEmail"].lower().endswith("@" + domain.lower())]
        elif customer in ("my_customer", data["customer_id"]):
            selected = users
        else:
            return google_error(400, "Bad Request", "INVALID_ARGUMENT", "badRequest")
        size = int(request.query.get("maxResults") or 100)
        if not 1 <= size <= 500:
            return google_error(
                400,
                f"Invalid value '{size}'. Values must be within the range: [1, 500]",
                "INVALID_ARGUMENT",
                "invalid",
            )
        try:
            start = _offset(request.query["pageToken"]) if request.query.get("pageToken") else 0
        except (ValueError, KeyError):
            return google_error(400, "Invalid page token", "INVALID_ARGUMENT", "invalid")
        end = start + min(size, page_size)
        body: dict[str, Any] = {
            "kind": "admin#directory#users",
            "etag": '"fake-etag"',
            "users": selected[start:end],
        }
        if end < len(selected):
            body["nextPageToken"] = _page_token(end)
        return Reply(200, body)

    def list_activities(request: Request) -> Reply:
        refusal = refused(request, REPORTS_SCOPE)
        if refusal is not None:
            return refusal
        application = request.match["application"]
        if application not in APPLICATIONS:
            return google_error(400, f"Invalid value '{application}'", "INVALID_ARGUMENT", "invalid")
        customer = request.query.get("customerId")
        if customer and customer != data["customer_id"]:
            return google_error(400, "Bad Request", "INVALID_ARGUMENT", "badRequest")
        try:
            start = _moment(request.query.get("startTime"), datetime.min.replace(tzinfo=UTC))
            end = _moment(request.query.get("endTime"), datetime.max.replace(tzinfo=UTC))
        except ValueError:
            return google_error(
                400, "Start time and end time must be in RFC 3339 format", "INVALID_ARGUMENT", "invalid"
            )
        if start > end:
            return google_error(400, "Start time must be before end time", "INVALID_ARGUMENT", "invalid")
        size = int(request.query.get("maxResults") or 1000)
        if not 1 <= size <= 1000:
            return google_error(
                400,
                f"Invalid value '{size}'. Values must be within the range: [1, 1000]",
                "INVALID_ARGUMENT",
                "invalid",
            )
        name = request.query.get("eventName")
        selected = []
        for row in activities.get(application, []):
            if not start <= _moment(row["id"]["time"]) <= end:
                continue
            if name:
                events = [e for e in row["events"] if e["name"] == name]
                if not events:
                    continue
                row = {**row, "events": events}
            selected.append(row)
        selected.sort(key=lambda a: a["id"]["time"], reverse=True)  # newest first, as Google lists
        try:
            first = _offset(request.query["pageToken"]) if request.query.get("pageToken") else 0
        except (ValueError, KeyError):
            return google_error(400, "Invalid page token", "INVALID_ARGUMENT", "invalid")
        last = first + min(size, page_size)
        body: dict[str, Any] = {"kind": "admin#reports#activities", "etag": '"fake-etag"'}
        if selected[first:last]:  # Google leaves `items` out of an empty page
            body["items"] = selected[first:last]
        if last < len(selected):
            body["nextPageToken"] = _page_token(last)
        return Reply(200, body)

    api.route("POST", TOKEN_PATH, issue_token)
    api.route("GET", USERS_PATH, list_users)
    api.route("GET", ACTIVITIES_PATH + "(?P<application>[^/]+)", list_activities)
    return api


def _moment(text: str | None, default: datetime | None = None) -> datetime:
    """An RFC 3339 time of the query or an activity (ValueError if it is not one)."""
    if not text:
        if default is None:
            raise ValueError("no time")
        return default
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"no offset in {text}")
    return parsed


def _user(
    number: int,
    local: str,
    full_name: str,
    *,
    admin: bool = False,
    delegated: bool = False,
    enrolled: bool = False,
    enforced: bool = False,
    suspended: bool = False,
    archived: bool = False,
    last_login: str = NEVER,
    created: str = "2023-02-01T09:00:00.000Z",
    org_unit: str = "/",
) -> dict[str, Any]:
    given, _, family = full_name.partition(" ")
    email = f"{local}@acme.example"
    return {
        "kind": "admin#directory#user",
        "id": f"1170000000000000000{number:02d}",
        "etag": f'"etag-{number}"',
        "primaryEmail": email,
        "name": {"givenName": given, "familyName": family, "fullName": full_name},
        "isAdmin": admin,
        "isDelegatedAdmin": delegated,
        "lastLoginTime": last_login,
        "creationTime": created,
        "agreedToTerms": True,
        "suspended": suspended,
        "archived": archived,
        "changePasswordAtNextLogin": False,
        "ipWhitelisted": False,
        "emails": [{"address": email, "primary": True}],
        "customerId": "C03acme01",
        "orgUnitPath": org_unit,
        "isMailboxSetup": True,
        "isEnrolledIn2Sv": enrolled,
        "isEnforcedIn2Sv": enforced,
        "includeInGlobalAddressList": True,
    }


def demo_google_workspace_data(now: datetime | None = None) -> dict[str, Any]:
    """Acme Exchange's Workspace: two super admins (Bob without 2SV), a delegated admin,
    2SV enforced for Engineering only, one person who never signed in, a suspended and an
    archived account; the login and user accounts audits of `demo_login_activities` and
    `demo_user_accounts_activities` (demo/fakes/google_workspace_reports.py) dated from `now`
    (default: the clock), no admin audit event."""
    moment = now or datetime.now(UTC)
    return {
        "customer_id": "C03acme01",
        "activities": {
            "login": demo_login_activities(moment),
            "user_accounts": demo_user_accounts_activities(moment),
            "admin": [],
        },
        "users": [
            _user(
                1,
                "alice",
                "Alice Moreau",
                admin=True,
                enrolled=True,
                enforced=True,
                last_login="2026-11-20T08:12:44.000Z",
                org_unit="/Engineering",
            ),
            _user(
                2, "bob", "Bob Okafor", admin=True, last_login="2026-11-18T16:03:10.000Z", org_unit="/Finance"
            ),
            _user(
                3,
                "carol",
                "Carol Lindqvist",
                delegated=True,
                enrolled=True,
                last_login="2026-11-21T10:30:00.000Z",
                org_unit="/Operations",
            ),
            _user(4, "dave", "Dave Kim", org_unit="/Operations"),
            _user(
                5,
                "erin",
                "Erin Walsh",
                enrolled=True,
                enforced=True,
                last_login="2026-11-22T07:45:19.000Z",
                org_unit="/Engineering",
            ),
            _user(
                6,
                "frank",
                "Frank Osei",
                suspended=True,
                last_login="2025-06-30T12:00:00.000Z",
                org_unit="/Finance",
            ),
            _user(
                7,
                "grace",
                "Grace Ito",
                enrolled=True,
                archived=True,
                last_login="2025-01-15T09:20:00.000Z",
                org_unit="/Alumni",
            ),
        ],
    }
