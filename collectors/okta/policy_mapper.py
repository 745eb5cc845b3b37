"""Pure mapping from Okta authentication policies (ACCESS_POLICY) and authenticator enrolment
policies (MFA_ENROLL), with their rules, to `MfaPolicy` records, and whether those policies
enforce MFA for one user.

- `mfa_enforced` (of an `Identity`) comes from the ACTIVE authentication policies: walking
  each policy's ACTIVE rules in priority order, every rule that may apply to the user (their
  groups and user id match; a rule with network / device / platform / risk / expression
  conditions may or may not apply, so the walk continues past it) is an ALLOW rule with
  factorMode 2FA, or a DENY rule. Any such path with 1FA: False. A verification method that
  cannot be judged (authentication method chains): None. No active policy: None. Policies are
  judged whatever app they protect, so a 1FA path in any app's policy counts.
- Authentication policy rules are recorded one `MfaPolicy` each (a DENY rule counts as
  requiring MFA: nobody signs in with one factor through it); enrolment policies
  (MFA_ENROLL) one each, with the factors they allow (REQUIRED or OPTIONAL), requires_mfa when
  a non-password factor is REQUIRED and some active rule enrols, phishing_resistant_required
  when a phishing-resistant one is REQUIRED.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from collectors.okta.mapper import SOURCE
from vaultward.contract.records import PHISHING_RESISTANT_FACTORS, MfaPolicy

ENROLL_KINDS: dict[str, tuple[str, ...]] = {
    "okta_verify": ("push", "totp"),  # FastPass only when its own key says so
    "okta_verify_push": ("push",),
    "okta_verify_totp": ("totp",),
    "okta_verify_fastpass": ("passkey",),
    "okta_otp": ("totp",),
    "okta_push": ("push",),
    "google_otp": ("totp",),
    "custom_otp": ("totp",),
    "hotp": ("totp",),
    "rsa_token": ("totp",),
    "symantec_vip": ("totp",),
    "onprem_mfa": ("totp",),
    "yubikey_token": ("hardware_totp",),
    "phone_number": ("sms", "voice"),
    "okta_sms": ("sms",),
    "okta_call": ("voice",),
    "okta_email": ("email",),
    "email": ("email",),
    "security_question": ("security_question",),
    "okta_question": ("security_question",),
    "security_key": ("webauthn",),
    "webauthn": ("webauthn",),
    "fido_webauthn": ("webauthn",),
    "fido_u2f": ("u2f",),
    "duo": ("push",),
    "custom_app": ("push",),
    "smart_card_idp": ("smart_card",),
    "okta_password": ("password",),
}
ENROLL_SETTINGS = frozenset({"REQUIRED", "OPTIONAL", "NOT_ALLOWED"})
ENROLL_WHEN = frozenset({"CHALLENGE", "LOGIN", "NEVER"})
POLICY_STATUSES = frozenset({"ACTIVE", "INACTIVE"})
# Rule conditions other than `people` that limit when a rule applies.
SITUATIONAL = ("network", "device", "platform", "riskScore", "elCondition", "userType", "authContext")


# --- authentication policies (ACCESS_POLICY) ------------------------------------------------


def _object(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _ids(value: Any) -> list[str]:
    if not value:
        return []
    return [str(item) for item in value] if isinstance(value, list) else [str(value)]


def _people(conditions: Mapping[str, Any] | None) -> dict[str, list[str]]:
    people = _object(_object(conditions).get("people"))
    groups = _object(people.get("groups"))
    users = _object(people.get("users"))
    return {
        "groups": _ids(groups.get("include")),
        "groups_out": _ids(groups.get("exclude")),
        "users": _ids(users.get("include")),
        "users_out": _ids(users.get("exclude")),
    }


def applies_to(conditions: Mapping[str, Any] | None, group_names: Mapping[str, str]) -> list[str]:
    """`["everyone"]`, or `group:<name>` / `user:<id>` entries, exclusions as `except ...`."""
    people = _people(conditions)

    def group(gid: str) -> str:
        return f"group:{group_names.get(gid, gid)}"

    targets = [group(g) for g in people["groups"]] + [f"user:{u}" for u in people["users"]]
    targets = targets or ["everyone"]
    targets += [f"except {group(g)}" for g in people["groups_out"]]
    targets += [f"except user:{u}" for u in people["users_out"]]
    return targets


def _situational(conditions: Mapping[str, Any] | None) -> bool:
    conditions = _object(conditions)
    people = conditions.get("people")
    if people and not isinstance(people, Mapping):
        return True  # unreadable: the rule may or may not apply, never "applies to all"
    for name in SITUATIONAL:
        value = conditions.get(name)
        if not value:
            continue
        if not isinstance(value, Mapping):
            return True
        if name == "network" and value.get("connection", "ANYWHERE") == "ANYWHERE":
            continue
        if name == "riskScore" and value.get("level", "ANY") == "ANY":
            continue
        return True
    return False


def _matches(conditions: Mapping[str, Any] | None, user_id: str, groups: set[str]) -> bool:
    people = _people(conditions)
    if user_id in people["users_out"] or groups & set(people["groups_out"]):
        return False
    if not people["users"] and not people["groups"]:
        return True
    return user_id in people["users"] or bool(groups & set(people["groups"]))


def rule_verification(rule: Mapping[str, Any]) -> tuple[bool | None, bool | None, list[str]]:
    """(requires MFA, phishing-resistant possession required, anomalies) of one rule."""
    sign_on = _object(_object(rule.get("actions")).get("appSignOn"))
    access = sign_on.get("access", "ALLOW")
    where = f"rule {rule.get('id', '?')}"
    if access == "DENY":
        return True, None, []
    anomalies = [] if access == "ALLOW" else [f"{where}: unknown access {access!r}"]
    method = _object(sign_on.get("verificationMethod"))
    method_type = method.get("type", "ASSURANCE")
    if method_type != "ASSURANCE":
        return None, None, anomalies + [f"{where}: verificationMethod {method_type!r} not evaluated"]
    mode = method.get("factorMode")
    requires = {"2FA": True, "1FA": False}.get(str(mode))
    if requires is None:
        anomalies.append(f"{where}: unknown factorMode {mode!r}")
    constraints = method.get("constraints") or []
    phishing_resistant = bool(constraints) and all(
        _object(_object(c).get("possession")).get("phishingResistant") == "REQUIRED" for c in constraints
    )
    return requires, phishing_resistant, anomalies


def _active(item: Mapping[str, Any]) -> bool:
    return item.get("status") == "ACTIVE"


def _status_anomaly(item: Mapping[str, Any], what: str) -> list[str]:
    status = item.get("status")
    return (
        []
        if isinstance(status, str) and status in POLICY_STATUSES
        else [f"{what} {item.get('id', '?')}: unknown status {status!r}"]
    )


def map_access_policy(
    policy: Mapping[str, Any], rules: Iterable[Mapping[str, Any]], group_names: Mapping[str, str]
) -> list[MfaPolicy]:
    records = []
    for rule in rules:
        requires, phishing_resistant, anomalies = rule_verification(rule)
        records.append(
            MfaPolicy(
                key=f"{SOURCE}:{policy['id']}/{rule['id']}",
                name=f"{policy.get('name', policy['id'])} / {rule.get('name', rule['id'])}",
                source=SOURCE,
                policy_kind="ACCESS_POLICY",
                active=_active(policy) and _active(rule),
                applies_to=applies_to(rule.get("conditions"), group_names),
                requires_mfa=requires,
                phishing_resistant_required=phishing_resistant,
                anomalies=_status_anomaly(policy, "policy") + _status_anomaly(rule, "rule") + anomalies,
            )
        )
    return records


def _policy_enforces(user_id: str, groups: set[str], rules: Iterable[Mapping[str, Any]]) -> bool | None:
    undecided = False
    active = [rule for rule in rules if _active(rule)]
    if any(not isinstance(rule.get("priority", 0), int) for rule in active):
        return None  # the order rules apply in is unreadable: cannot tell which one decides
    for rule in sorted(active, key=lambda r: r.get("priority", 0)):
        conditions = rule.get("conditions")
        if not _matches(conditions, user_id, groups):
            continue
        requires, _, _ = rule_verification(rule)
        if requires is False:
            return False
        undecided = undecided or requires is None
        if not _situational(conditions):
            break  # this rule always applies to the user: later rules never do
    return None if undecided else True


def mfa_enforced(
    user_id: str, groups: set[str], access_policies: Sequence[tuple[Mapping[str, Any], Sequence[Mapping]]]
) -> bool | None:
    """Whether every active authentication policy makes this user use a second factor."""
    verdicts = [
        _policy_enforces(user_id, groups, rules) for policy, rules in access_policies if _active(policy)
    ]
    if not verdicts:
        return None
    if any(v is False for v in verdicts):
        return False
    return True if all(verdicts) else None


def referenced_groups(access_policies: Sequence[tuple[Mapping[str, Any], Sequence[Mapping]]]) -> list[str]:
    """Group ids the active rules of active authentication policies name (include or exclude)."""
    found: set[str] = set()
    for policy, rules in access_policies:
        if not _active(policy):
            continue
        for rule in rules:
            if _active(rule):
                people = _people(rule.get("conditions"))
                found.update(people["groups"], people["groups_out"])
    return sorted(found)


def named_groups(
    access_policies: Sequence[tuple[Mapping[str, Any], Sequence[Mapping]]],
    enroll_policies: Sequence[tuple[Mapping[str, Any], Sequence[Mapping]]],
) -> list[str]:
    """Every group id a policy or rule names, active or not (for readable `applies_to`)."""
    found: set[str] = set()
    conditions = [rule.get("conditions") for _, rules in access_policies for rule in rules]
    conditions += [policy.get("conditions") for policy, _ in enroll_policies]
    for condition in conditions:
        people = _people(condition)
        found.update(people["groups"], people["groups_out"])
    return sorted(found)


# --- enrolment policies (MFA_ENROLL) --------------------------------------------------------


def enroll_settings(settings: Mapping[str, Any] | None) -> dict[str, str]:
    """key -> REQUIRED / OPTIONAL / NOT_ALLOWED, from `authenticators` (Identity Engine) or
    `factors` (Classic)."""
    settings = _object(settings)
    found: dict[str, str] = {}
    authenticators = settings.get("authenticators")
    for authenticator in authenticators if isinstance(authenticators, list) else []:
        authenticator = _object(authenticator)
        found[str(authenticator.get("key"))] = str(_object(authenticator.get("enroll")).get("self"))
    for key, factor in _object(settings.get("factors")).items():
        found[str(key)] = str(_object(_object(factor).get("enroll")).get("self"))
    return found


def map_enroll_policy(
    policy: Mapping[str, Any], rules: Iterable[Mapping[str, Any]], group_names: Mapping[str, str]
) -> MfaPolicy:
    anomalies = _status_anomaly(policy, "policy")
    allowed: set[str] = set()
    required: set[str] = set()
    for key, setting in enroll_settings(policy.get("settings")).items():
        if setting not in ENROLL_SETTINGS:
            anomalies.append(f"{key}: unknown enroll setting {setting!r}")
        kinds = ENROLL_KINDS.get(key)
        if kinds is None:
            anomalies.append(f"unknown authenticator key {key!r}")
            kinds = (f"other:{key}",)
        if setting in ("REQUIRED", "OPTIONAL"):
            allowed.update(kinds)
        if setting == "REQUIRED":
            required.update(kinds)
    enrols = False
    for rule in rules:
        when = _object(_object(rule.get("actions")).get("enroll")).get("self", "CHALLENGE")
        if not (isinstance(when, str) and when in ENROLL_WHEN):
            anomalies.append(f"rule {rule.get('id', '?')}: unknown enroll {when!r}")
        enrols = enrols or (_active(rule) and when != "NEVER")
    second_factor = required - {"password"}
    return MfaPolicy(
        key=f"{SOURCE}:{policy['id']}",
        name=str(policy.get("name", policy["id"])),
        source=SOURCE,
        policy_kind="MFA_ENROLL",
        active=_active(policy),
        applies_to=applies_to(policy.get("conditions"), group_names),
        requires_mfa=bool(second_factor) and enrols,
        phishing_resistant_required=bool(required & PHISHING_RESISTANT_FACTORS),
        allowed_factors=sorted(allowed),
        anomalies=anomalies,
    )
