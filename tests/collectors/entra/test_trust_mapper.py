"""Cross-tenant access settings (crossTenantAccessPolicyConfigurationDefault / Partner, as
Microsoft Graph documents them) to whether B2B guests' home-tenant MFA is trusted."""

from collectors.entra.trust_mapper import home_mfa_trusted

SERVICE_DEFAULT = {
    "isServiceDefault": True,
    "inboundTrust": {
        "isMfaAccepted": False,
        "isCompliantDeviceAccepted": False,
        "isHybridAzureADJoinedDeviceAccepted": False,
    },
}
TRUSTING = {"isServiceDefault": False, "inboundTrust": {"isMfaAccepted": True}}


def partner(tenant: str, accepted: bool | None) -> dict:
    trust = None if accepted is None else {"isMfaAccepted": accepted}
    return {"tenantId": tenant, "isServiceProvider": False, "inboundTrust": trust}


def test_no_configuration_trusting_mfa_means_the_guests_mfa_is_this_tenants():
    assert home_mfa_trusted(SERVICE_DEFAULT, []) is False
    assert home_mfa_trusted(SERVICE_DEFAULT, [partner("t1", False), partner("t2", None)]) is False


def test_every_configuration_trusting_mfa_means_home_mfa_counts():
    assert home_mfa_trusted(TRUSTING, []) is True
    assert home_mfa_trusted(TRUSTING, [partner("t1", None)]) is True  # inherits the default


def test_a_mix_depends_on_the_guests_home_tenant_which_the_report_does_not_name():
    assert home_mfa_trusted(SERVICE_DEFAULT, [partner("t1", True)]) is None
    assert home_mfa_trusted(TRUSTING, [partner("t1", False)]) is None


def test_a_configuration_that_does_not_say_is_unknown():
    assert home_mfa_trusted({"isServiceDefault": False}, []) is None
    assert home_mfa_trusted({"inboundTrust": {"isMfaAccepted": "yes"}}, []) is None
    assert home_mfa_trusted({"inboundTrust": "odd"}, []) is None
