"""Shared by the checks over privileged people: whether an account's privilege is unknown
because the request that tells it failed (Okta's role assignments, say)."""

from vaultward.contract.records import Identity
from vaultward.contract.sdk import CheckContext


def privilege_gap(ctx: CheckContext, identity: Identity) -> str | None:
    """Why `identity.privileged` is unknown (a failed request left it None), or None. Such an
    account may be an administrator: it is judged `unknown`, never left out."""
    if identity.privileged is not None or identity.suspended:
        return None
    return ctx.field_gap(identity, "privileged")
