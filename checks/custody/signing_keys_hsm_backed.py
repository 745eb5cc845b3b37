"""Signing keys held non-exportably in HSM-backed services."""

from collections.abc import Iterator

from vaultward.contract.records import SigningKey
from vaultward.contract.sdk import CheckContext, Result, check, failed, not_applicable, passed

WHY_NOT = {
    "EXTERNAL": "its key material was imported, so a copy exists outside the HSM",
    "EXTERNAL_KEY_STORE": "it lives in an external key store outside AWS's HSMs",
}


@check(
    id="custody.signing_keys_hsm_backed",
    title="Signing keys are generated and held in an HSM",
    mitigation="custody",
    severity="critical",
    weight=3,
    reads=[SigningKey],
    references=["attack:T1552.004", "attack-mitigation:M1026", "ccss:v8:1.03", "nist-csf:PR.DS-01"],
    remediation=(
        "Create signing keys inside the HSM (KMS origin AWS_KMS or a CloudHSM key store, or an MPC "
        "custodian), move funds to addresses of those keys, then disable and schedule deletion of "
        "keys whose material was imported or is held outside."
    ),
    population=True,  # a key the collector could not describe may be the one outside the HSM
)
def signing_keys_hsm_backed(ctx: CheckContext) -> Iterator[Result]:
    """A signing key whose material ever existed outside an HSM can be stolen from wherever that
    copy lives; Lazarus thefts end with exactly such keys signing the attacker's withdrawal."""
    for key in ctx.records(SigningKey):
        if not key.signing or not key.enabled:
            why = "not a signing key" if not key.signing else "disabled: it signs nothing"
            yield not_applicable(key, why, key_spec=key.key_spec, key_usage=key.key_usage)
            continue
        evidence = {"origin": key.origin, "key_spec": key.key_spec, "key_usage": key.key_usage}
        if key.hsm_backed:
            yield passed(key, f"generated and held in an HSM (origin {key.origin})", **evidence)
        else:
            reason = WHY_NOT.get(key.origin, f"origin {key.origin or 'unknown'} is not HSM-backed")
            yield failed(key, f"signing key is not HSM-backed: {reason}", **evidence)
