"""Pure judgement of a tenant's cross-tenant access settings: whether it accepts a B2B
collaboration user's MFA from their home tenant (`Identity.home_mfa_trusted`).

Microsoft: the resource tenant is responsible for a B2B user's MFA, unless its cross-tenant
access settings trust MFA claims from the user's home Microsoft Entra tenant
(`crossTenantAccessPolicyInboundTrust.isMfaAccepted`), in the default configuration
(`GET /policies/crossTenantAccessPolicy/default`) or a partner's
(`GET /policies/crossTenantAccessPolicy/partners`; a partner whose `inboundTrust` is null
inherits the default). A trusted guest does MFA, and registers it, at home, where this tenant's
registration report cannot see it.

The registration report does not name a guest's home tenant, so the answer is the same for
every B2B user of the tenant:

- `False` when neither the default nor any partner accepts MFA: each guest's MFA must be
  registered here, and the report shows whether it is;
- `True` when the default and every partner accept it;
- `None` when some do and some do not (it depends on the guest's home tenant), or when a
  configuration does not say (no `inboundTrust` in the default, a value that is not a boolean).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def _accepts(configuration: Mapping[str, Any], default: bool | None) -> bool | None:
    trust = configuration.get("inboundTrust")
    if trust is None:
        return default  # a partner without its own inboundTrust inherits the default's
    if not isinstance(trust, Mapping):
        return None
    accepted = trust.get("isMfaAccepted")
    return accepted if isinstance(accepted, bool) else None


def home_mfa_trusted(default: Mapping[str, Any], partners: Iterable[Mapping[str, Any]]) -> bool | None:
    """Whether the tenant accepts B2B users' home-tenant MFA (see the module's rules)."""
    default_accepts = _accepts(default, None)
    verdicts = {default_accepts, *(_accepts(partner, default_accepts) for partner in partners)}
    if verdicts == {False}:
        return False
    if verdicts == {True}:
        return True
    return None
