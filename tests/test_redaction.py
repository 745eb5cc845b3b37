import logging

from vaultward.contract import redaction


def test_known_values_and_credential_shapes_are_masked(monkeypatch):
    monkeypatch.setenv("AUDIT_SECRET", "s3cr3t-value-123")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    redactor = redaction.configure(["AUDIT_SECRET"])
    text = (
        "failed with s3cr3t-value-123; key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY; "
        "Authorization: SSWS 00abcdefghijklmnop; url postgresql+psycopg://vw:hunter22@db/vw"
    )
    cleaned = redactor(text)
    for secret in ("s3cr3t-value-123", "wJalrXUtnFEMI", "00abcdefghijklmnop", "hunter22"):
        assert secret not in cleaned
    assert cleaned.count(redaction.MASK) == 4


def test_log_filter_masks_arguments(monkeypatch, caplog):
    monkeypatch.setenv("AUDIT_SECRET", "s3cr3t-value-123")
    redaction.configure(["AUDIT_SECRET"])
    logger = logging.getLogger("vaultward.test")
    handler = logging.Handler()
    records = []
    handler.emit = records.append
    handler.addFilter(redaction.RedactingFilter())
    logger.addHandler(handler)
    try:
        logger.error("token %s rejected", "s3cr3t-value-123")
    finally:
        logger.removeHandler(handler)
    assert records[0].getMessage() == "token [redacted] rejected"


def test_private_keys_are_masked_whole():
    pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----"
    assert redaction.Redactor()(f"key file: {pem} (bad)") == "key file: [redacted] (bad)"


def test_every_configured_and_default_credential_variable_is_known():
    from vaultward.config.settings import parse_settings
    from vaultward.pipeline.registry import discover

    settings = parse_settings(
        {
            "sources": {
                "okta": {"base_url": "https://acme.okta.com", "credentials_env": {"token": "ACME_OKTA"}},
                "knowbe4": {},
                "fleet": {"base_url": "https://fleet.acme.example"},
                "crowdstrike": {},
            }
        }
    )
    names = settings.credential_variables(discover(entry_point_groups=False).collectors)
    assert {"ACME_OKTA", "OKTA_API_TOKEN", "KNOWBE4_API_TOKEN", "FLEET_API_TOKEN"} <= set(names)
    assert {"CROWDSTRIKE_CLIENT_ID", "CROWDSTRIKE_CLIENT_SECRET"} <= set(names)
    assert "ENTRA_CLIENT_SECRET" not in names  # entra is not configured here


def test_intune_masks_the_entra_variables_it_reads_by_default_and_those_it_is_given():
    from vaultward.config.settings import parse_settings
    from vaultward.pipeline.registry import discover

    intune = {"tenant_id": "t", "credentials_env": {"client_secret": "ACME_INTUNE_SECRET"}}
    settings = parse_settings({"sources": {"intune": intune}})
    names = settings.credential_variables(discover(entry_point_groups=False).collectors)
    assert {"ENTRA_CLIENT_ID", "ENTRA_CLIENT_SECRET", "ACME_INTUNE_SECRET"} <= set(names)
