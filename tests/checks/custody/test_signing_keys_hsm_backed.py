from checks.custody.signing_keys_hsm_backed import signing_keys_hsm_backed
from tests.checks.run import run, statuses
from tests.factories import make_signing_key


def test_only_enabled_signing_keys_and_imported_material_fails():
    records = [
        make_signing_key(key="kms", origin="AWS_KMS"),
        make_signing_key(key="cloudhsm", origin="AWS_CLOUDHSM"),
        make_signing_key(key="imported", origin="EXTERNAL"),
        make_signing_key(key="xks", origin="EXTERNAL_KEY_STORE"),
        make_signing_key(key="disabled", origin="EXTERNAL", enabled=False),
        make_signing_key(key="encryption", key_usage="ENCRYPT_DECRYPT", key_spec="SYMMETRIC_DEFAULT"),
    ]
    assert statuses(signing_keys_hsm_backed, records) == {
        "kms": "pass",
        "cloudhsm": "pass",
        "imported": "fail",
        "xks": "fail",
        "disabled": "skipped",
        "encryption": "skipped",
    }
    imported = next(r for r in run(signing_keys_hsm_backed, records) if r.resource == "imported")
    assert "imported" in imported.reason and imported.evidence["origin"] == "EXTERNAL"
