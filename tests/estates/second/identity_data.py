"""Northwind's Okta org and Entra tenant as the vendors' APIs return them (raw JSON), written
from the Okta Management API reference (User, UserFactor, Role assignment, Policy, Policy rule)
and Microsoft Graph's userRegistrationDetails resource. Not derived from the demo's data.

Okta (users paged by 3, so the 6 listed users span two pages):
- nadia: ACTIVE, SUPER_ADMIN, factors webauthn (FIDO) + push.
- omar: ACTIVE, SMS only; member of Finance, whose access-policy rule allows 1FA.
- priya: ACTIVE, never signed in (`lastLogin` null, as the User object allows), push + TOTP.
- quentin: SUSPENDED (cannot sign in), an SMS factor left over.
- rosa: DEPROVISIONED (left; a plain listing leaves her out, `filter=status eq "DEPROVISIONED"`
  returns her).
- svc-reporting: a service user (matches `svc-*`), REPORT_ADMIN, no factor.
- tara: ACTIVE, HELP_DESK_ADMIN through a group assignment, Okta FastPass (`signed_nonce`).

Entra (`userRegistrationDetails` paged by 2): nadia (admin, FIDO2 key + push), priya (push +
TOTP), omar (mobilePhone), sam (nothing registered) and a B2B guest from an audit firm
(`userType: guest`, UPN in the `#EXT#` form). The app lacks Policy.Read.All, so Conditional
Access and security defaults answer 403 Authorization_RequestDenied (the least-privilege case
Microsoft documents for those endpoints).
"""

from __future__ import annotations

from typing import Any

from demo.fakes.okta import OktaData

ORG = "northwind.okta.com"
DOMAIN = "northwind.example"
TENANT_ID = "9b2d5c1e-6a7f-4e21-8d3c-northwind0001"
FINANCE, SUPPORT = "00gnwfinance00000001", "00gnwsupport00000001"
ACCESS_POLICY = "rstnwapps00000000001"

OKTA_IDS = {
    "nadia": "00unwnadia0000000001",
    "omar": "00unwomar00000000002",
    "priya": "00unwpriya0000000003",
    "quentin": "00unwquentin00000004",
    "rosa": "00unwrosa00000000005",
    "svc-reporting": "00unwsvcreport000006",
    "tara": "00unwtara00000000007",
}


def _okta_user(
    local: str, first: str, last: str, status: str, last_login: str | None, status_changed: str
) -> dict[str, Any]:
    ident = OKTA_IDS[local]
    login = f"{local}@{DOMAIN}"
    return {
        "id": ident,
        "status": status,
        "created": "2025-01-13T08:00:00.000Z",
        "activated": "2025-01-13T08:05:00.000Z",
        "statusChanged": status_changed,
        "lastLogin": last_login,
        "lastUpdated": status_changed,
        "passwordChanged": "2025-01-13T08:10:00.000Z",
        "type": {"id": "otynwdefault00000001"},
        "profile": {"firstName": first, "lastName": last, "login": login, "email": login},
        "credentials": {"password": {}, "provider": {"type": "OKTA", "name": "OKTA"}},
        "_links": {"self": {"href": f"https://{ORG}/api/v1/users/{ident}"}},
    }


def _factor(ident: str, factor_type: str, provider: str, status: str = "ACTIVE", **profile: Any) -> dict:
    return {
        "id": ident,
        "factorType": factor_type,
        "provider": provider,
        "vendorName": provider,
        "status": status,
        "created": "2025-01-13T08:20:00.000Z",
        "lastUpdated": "2025-01-13T08:20:00.000Z",
        "profile": profile,
    }


def _role(ident: str, role_type: str, label: str, assignment: str = "USER") -> dict:
    return {
        "id": ident,
        "label": label,
        "type": role_type,
        "status": "ACTIVE",
        "created": "2025-02-03T10:00:00.000Z",
        "lastUpdated": "2025-02-03T10:00:00.000Z",
        "assignmentType": assignment,
    }


def _access_rule(ident: str, name: str, priority: int, mode: str, groups: list[str]) -> dict:
    conditions = {"people": {"groups": {"include": groups}}} if groups else None
    constraints = [{"possession": {"required": True}}] if mode == "2FA" else []
    return {
        "id": ident,
        "name": name,
        "priority": priority,
        "status": "ACTIVE",
        "system": priority == 99,
        "type": "ACCESS_POLICY",
        "conditions": conditions,
        "actions": {
            "appSignOn": {
                "access": "ALLOW",
                "verificationMethod": {
                    "type": "ASSURANCE",
                    "factorMode": mode,
                    "reauthenticateIn": "PT12H",
                    "constraints": constraints,
                },
            }
        },
    }


def okta_data() -> OktaData:
    users = [
        _okta_user(
            "nadia", "Nadia", "Haddad", "ACTIVE", "2026-12-01T07:58:00.000Z", "2025-01-13T08:05:00.000Z"
        ),
        _okta_user(
            "omar", "Omar", "Lindgren", "ACTIVE", "2026-11-30T16:02:00.000Z", "2025-01-13T08:05:00.000Z"
        ),
        _okta_user("priya", "Priya", "Raman", "ACTIVE", None, "2025-01-13T08:05:00.000Z"),
        _okta_user(
            "quentin", "Quentin", "Abara", "SUSPENDED", "2026-08-14T09:00:00.000Z", "2026-09-01T12:00:00.000Z"
        ),
        _okta_user(
            "rosa",
            "Rosa",
            "Ferreira",
            "DEPROVISIONED",
            "2026-06-30T17:00:00.000Z",
            "2026-07-01T09:00:00.000Z",
        ),
        _okta_user(
            "svc-reporting",
            "Reporting",
            "Service",
            "ACTIVE",
            "2026-12-02T03:00:00.000Z",
            "2025-01-13T08:05:00.000Z",
        ),
        _okta_user("tara", "Tara", "Nwosu", "ACTIVE", "2026-12-02T08:30:00.000Z", "2025-01-13T08:05:00.000Z"),
    ]
    ids = OKTA_IDS
    factors = {
        ids["nadia"]: [
            _factor("fwfnwnadiakey0000001", "webauthn", "FIDO", authenticatorName="Security Key by Yubico"),
            _factor("opfnwnadiapush000001", "push", "OKTA", name="Pixel 9", platform="ANDROID"),
        ],
        ids["omar"]: [_factor("smsnwomar00000000001", "sms", "OKTA", phoneNumber="+46 70 *** 12 34")],
        ids["priya"]: [
            _factor("opfnwpriyapush000001", "push", "OKTA", name="iPhone 15", platform="IOS"),
            _factor(
                "ostnwpriyatotp000001",
                "token:software:totp",
                "GOOGLE",
                credentialId="priya@northwind.example",
            ),
        ],
        ids["quentin"]: [_factor("smsnwquentin00000001", "sms", "OKTA", phoneNumber="+1 212 *** 0101")],
        ids["tara"]: [
            _factor("sgnnwtarafastpass001", "signed_nonce", "OKTA", name="Tara's MacBook", platform="MACOS")
        ],
    }
    roles = {
        ids["nadia"]: [_role("ranwsuperadmin000001", "SUPER_ADMIN", "Super Administrator")],
        ids["svc-reporting"]: [_role("ranwreportadmin00001", "REPORT_ADMIN", "Report Administrator")],
        ids["tara"]: [_role("ranwhelpdesk00000001", "HELP_DESK_ADMIN", "Help Desk Administrator", "GROUP")],
    }
    groups = {
        FINANCE: {
            "id": FINANCE,
            "type": "OKTA_GROUP",
            "profile": {"name": "Finance", "description": "Treasury and finance"},
        },
        SUPPORT: {
            "id": SUPPORT,
            "type": "OKTA_GROUP",
            "profile": {"name": "IT Support", "description": "Help desk"},
        },
    }
    policy = {
        "id": ACCESS_POLICY,
        "name": "Northwind apps",
        "type": "ACCESS_POLICY",
        "status": "ACTIVE",
        "system": False,
        "priority": 1,
        "conditions": None,
        "created": "2025-01-13T08:00:00.000Z",
        "lastUpdated": "2026-10-20T10:00:00.000Z",
    }
    return OktaData(
        users=users,
        factors=factors,
        roles=roles,
        groups=groups,
        members={FINANCE: [ids["omar"]], SUPPORT: [ids["tara"]]},
        policies={"ACCESS_POLICY": [policy]},
        rules={
            ACCESS_POLICY: [
                _access_rule("rulnwfinance00000001", "Finance: password only", 0, "1FA", [FINANCE]),
                _access_rule("rulnwcatchall0000001", "Catch-all Rule", 99, "2FA", []),
            ]
        },
    )


ENTRA_IDS = {
    "nadia": "5d0a7e3c-1b2f-4c6d-9e8f-0a1b2c3d4e01",
    "priya": "5d0a7e3c-1b2f-4c6d-9e8f-0a1b2c3d4e02",
    "omar": "5d0a7e3c-1b2f-4c6d-9e8f-0a1b2c3d4e03",
    "sam": "5d0a7e3c-1b2f-4c6d-9e8f-0a1b2c3d4e04",
    "guest": "5d0a7e3c-1b2f-4c6d-9e8f-0a1b2c3d4e05",
}
GUEST_UPN = "vik_auditfirm.example#EXT#@northwinddigital.onmicrosoft.com"


def _registration(
    key: str, upn: str, name: str, methods: list[str], *, admin: bool = False, guest: bool = False
) -> dict[str, Any]:
    strong = [m for m in methods if m not in ("email", "securityQuestion")]
    passwordless = any(m in ("fido2SecurityKey", "windowsHelloForBusiness") for m in methods)
    preferred = (
        "push" if "microsoftAuthenticatorPush" in methods else ("sms" if "mobilePhone" in methods else "none")
    )
    return {
        "id": ENTRA_IDS[key],
        "userPrincipalName": upn,
        "userDisplayName": name,
        "userType": "guest" if guest else "member",
        "isAdmin": admin,
        "isSsprRegistered": bool(strong),
        "isSsprEnabled": True,
        "isSsprCapable": bool(strong),
        "isMfaRegistered": bool(strong),
        "isMfaCapable": bool(strong),
        "isPasswordlessCapable": passwordless,
        "isSystemPreferredAuthenticationMethodEnabled": False,
        "systemPreferredAuthenticationMethods": [],
        "userPreferredMethodForSecondaryAuthentication": preferred,
        "methodsRegistered": methods,
        "lastUpdatedDateTime": "2026-12-01T05:00:00Z",
    }


def entra_data() -> dict[str, Any]:
    # No "policies", "security_defaults" or "groups": the app may not read them (403).
    return {
        "tenant_id": TENANT_ID,
        "users": [
            _registration(
                "nadia",
                f"nadia@{DOMAIN}",
                "Nadia Haddad",
                ["fido2SecurityKey", "microsoftAuthenticatorPush"],
                admin=True,
            ),
            _registration(
                "priya",
                f"priya@{DOMAIN}",
                "Priya Raman",
                ["microsoftAuthenticatorPush", "softwareOneTimePasscode"],
            ),
            _registration("omar", f"omar@{DOMAIN}", "Omar Lindgren", ["mobilePhone"]),
            _registration("sam", f"sam@{DOMAIN}", "Sam Kowalski", []),
            _registration("guest", GUEST_UPN, "Vik (Audit Firm)", ["email"], guest=True),
        ],
    }
