"""Acme Exchange's Conditional Access, as Microsoft Graph returns it: conditionalAccessPolicy
objects with every property present (null where unset), the security defaults policy, and
the transitive members of the groups the policies name."""

from __future__ import annotations

from typing import Any

TRADING_DESK = "7d1e5c22-0000-4000-8000-00000000a001"  # group: Bob, Ivan (through a nested group)
TRADING_DESK_NIGHT = "7d1e5c22-0000-4000-8000-00000000a002"  # nested in TRADING_DESK: Ivan
OFFICE_NETWORK = "0b6e4a1f-0000-4000-8000-00000000c001"  # named location: the office's egress IPs
GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10"  # the role's template id
PHISHING_RESISTANT_STRENGTH = "00000000-0000-0000-0000-000000000004"  # built-in


def user_id(number: int) -> str:
    return f"3c9e1a40-0000-4000-8000-0000000000{number:02d}"


def policy(
    number: int,
    name: str,
    *,
    state: str = "enabled",
    include_users: list[str] | None = None,
    exclude_users: list[str] | None = None,
    include_groups: list[str] | None = None,
    exclude_groups: list[str] | None = None,
    include_roles: list[str] | None = None,
    applications: list[str] | None = None,
    user_actions: list[str] | None = None,
    client_app_types: list[str] | None = None,
    exclude_locations: list[str] | None = None,
    controls: list[str] | None = None,
    operator: str = "OR",
    strength: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One conditionalAccessPolicy; unset conditions are null or empty as Graph returns them."""
    locations = None
    if exclude_locations:
        locations = {"includeLocations": ["All"], "excludeLocations": exclude_locations}
    grant: dict[str, Any] = {
        "operator": operator,
        "builtInControls": controls or [],
        "customAuthenticationFactors": [],
        "termsOfUse": [],
    }
    policy_id = f"e2a7c3d1-0000-4000-8000-0000000000{number:02d}"
    if strength is not None:
        grant["authenticationStrength@odata.context"] = (
            "https://graph.microsoft.com/v1.0/$metadata#identity/conditionalAccess/policies"
            f"('{policy_id}')/grantControls/authenticationStrength/$entity"
        )
        grant["authenticationStrength"] = strength
    return {
        "id": policy_id,
        "templateId": None,
        "displayName": name,
        "createdDateTime": "2026-03-02T09:15:00Z",
        "modifiedDateTime": "2026-10-14T16:40:00Z",
        "state": state,
        "sessionControls": None,
        "conditions": {
            "userRiskLevels": [],
            "signInRiskLevels": [],
            "clientAppTypes": client_app_types or ["all"],
            "platforms": None,
            "locations": locations,
            "devices": None,
            "clientApplications": None,
            "applications": {
                "includeApplications": applications if applications is not None else ["All"],
                "excludeApplications": [],
                "includeUserActions": user_actions or [],
                "includeAuthenticationContextClassReferences": [],
                "applicationFilter": None,
            },
            "users": {
                "includeUsers": include_users or [],
                "excludeUsers": exclude_users or [],
                "includeGroups": include_groups or [],
                "excludeGroups": exclude_groups or [],
                "includeRoles": include_roles or [],
                "excludeRoles": [],
                "includeGuestsOrExternalUsers": None,
                "excludeGuestsOrExternalUsers": None,
            },
        },
        "grantControls": grant,
    }


def phishing_resistant_strength() -> dict[str, Any]:
    return {
        "id": PHISHING_RESISTANT_STRENGTH,
        "createdDateTime": "2021-12-01T08:00:00Z",
        "modifiedDateTime": "2021-12-01T08:00:00Z",
        "displayName": "Phishing-resistant MFA",
        "description": "Phishing-resistant, Passwordless methods for the strongest authentication, such as a FIDO2 security key",
        "policyType": "builtIn",
        "requirementsSatisfied": "mfa",
        "allowedCombinations": ["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"],
    }


def demo_conditional_access() -> dict[str, Any]:
    """Everyone needs MFA except the trading desk, whose policy spares the office network
    (Bob and Ivan sign in there with a password); admins need phishing-resistant MFA; the
    guests' policy lets a compliant device stand in for MFA and is only reporting; legacy
    clients are blocked; a passkey pilot is off. Security defaults are off (Conditional Access
    replaces them)."""
    policies = [
        policy(
            1,
            "CA001: Require MFA for all users",
            include_users=["All"],
            exclude_users=["GuestsOrExternalUsers"],
            exclude_groups=[TRADING_DESK],
            controls=["mfa"],
        ),
        policy(
            2,
            "CA002: Trading desk - MFA outside the office",
            include_groups=[TRADING_DESK],
            exclude_locations=[OFFICE_NETWORK],
            controls=["mfa"],
        ),
        policy(
            3,
            "CA003: Admins - phishing-resistant MFA",
            include_roles=[GLOBAL_ADMINISTRATOR],
            strength=phishing_resistant_strength(),
        ),
        policy(
            4,
            "CA004: Guests - MFA or a compliant device",
            state="enabledForReportingButNotEnforced",
            include_users=["GuestsOrExternalUsers"],
            controls=["mfa", "compliantDevice"],
        ),
        policy(
            5,
            "CA005: Block legacy authentication",
            include_users=["All"],
            client_app_types=["exchangeActiveSync", "other"],
            controls=["block"],
        ),
        policy(
            6,
            "CA006: MFA to register security info",
            include_users=["All"],
            applications=[],
            user_actions=["urn:user:registersecurityinfo"],
            controls=["mfa"],
        ),
        policy(
            7,
            "CA007: Pilot - passkeys for engineering",
            state="disabled",
            include_users=[user_id(6)],
            strength=phishing_resistant_strength(),
        ),
    ]
    user = "#microsoft.graph.user"
    groups = {
        TRADING_DESK: [
            {"@odata.type": user, "id": user_id(2)},
            {"@odata.type": "#microsoft.graph.group", "id": TRADING_DESK_NIGHT},
            {"@odata.type": user, "id": user_id(4)},
        ],
        TRADING_DESK_NIGHT: [{"@odata.type": user, "id": user_id(4)}],
    }
    defaults = {
        "id": "00000000-0000-0000-0000-000000000005",
        "displayName": "Security Defaults",
        "description": "Security defaults is a set of basic identity security mechanisms recommended by Microsoft.",
        "isEnabled": False,
    }
    return {"policies": policies, "security_defaults": defaults, "groups": groups}
