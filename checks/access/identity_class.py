"""Shared by the MFA and phishing-resistance checks: they judge people's and guests' accounts,
not machines' (vaultward.derived.people derives the class), and a B2B guest's empty MFA registration
in this tenant does not show the guest has no MFA when the tenant may trust their home tenant's.
"""

from vaultward.contract.records import Identity
from vaultward.contract.sdk import CheckContext
from vaultward.derived.people import Classification

MACHINE_CHECK = "access.privileged_machine_credentials"


def machine_not_judged(identity: Identity, found: Classification) -> str:
    """The not-applicable reason an MFA check gives a machine identity."""
    return (
        f"machine identity in {identity.source} ({found.reason}): MFA is for people; a machine's "
        f"credentials are judged by {MACHINE_CHECK} and access.access_key_age"
    )


def home_mfa_unseen(ctx: CheckContext, identity: Identity) -> str | None:
    """Why a guest's MFA may be done where this tenant cannot see it, or None when this tenant
    is known not to trust the guest's home tenant (its own registration then decides).

    Microsoft: the resource tenant is responsible for a B2B guest's MFA, unless its
    cross-tenant access settings trust MFA claims from the guest's home tenant
    (inboundTrust.isMfaAccepted); then the guest's MFA is done, and registered, at home, where
    this tenant's registration report cannot see it."""
    if identity.home_mfa_trusted is False:
        return None
    if identity.home_mfa_trusted:
        why = "this tenant accepts MFA done in the guest's home tenant (cross-tenant access inboundTrust)"
    elif gap := ctx.field_gap(identity, "home_mfa_trusted"):
        why = f"whether this tenant trusts the guest's home-tenant MFA could not be read: {gap}"
    else:
        why = f"{identity.source} does not say whether this tenant trusts the guest's home-tenant MFA"
    return why
