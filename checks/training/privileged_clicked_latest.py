"""No administrator or signer fell for their latest phishing test."""

from collections.abc import Iterator

from vaultward.contract.records import Identity, PhishingResult, PhishingTest, TransferPolicy, Wallet
from vaultward.contract.sdk import CheckContext, Result, check, failed, passed, unknown
from vaultward.derived.phishing import SimulationOutcome, finished_tests
from vaultward.derived.training import not_privileged, privileged_and_signers


@check(
    id="training.privileged_clicked_latest",
    title="No administrator or wallet signer fell for their latest phishing test",
    mitigation="training",
    severity="high",
    weight=2,
    reads=[Identity, PhishingTest, PhishingResult, Wallet, TransferPolicy],
    references=["attack:T1566.002", "attack-mitigation:M1017", "cis-v8:14.2", "nist-csf:PR.AT-02"],
    remediation=(
        "Treat it as a near miss: review the person's sessions and signing activity since the "
        "test, give them the lure module with real recruiter and collaborator examples, and "
        "require a hardware key for every approval they make."
    ),
)
def privileged_clicked_latest(ctx: CheckContext) -> Iterator[Result]:
    """An administrator or signer who clicks a simulated lure today hands the real attacker
    the production console or the signing key tomorrow."""
    roles = ctx.custody_people
    chosen = privileged_and_signers(ctx)
    recent = finished_tests(ctx)[-ctx.policy.training.recent_phishing_tests :]
    connected = ctx.has(PhishingTest)
    for key in sorted(chosen):
        person = chosen[key]
        evidence = {
            "signer_for": roles.get(person.email, []),
            "admin_roles": sorted(
                {r for i in person.active_identities for r in (*i.admin_roles, *i.privileged_via)}
            ),
        }
        if not connected:
            yield unknown(person.id, "no phishing simulation source is connected", **evidence)
        elif not person.email:
            yield unknown(
                person.id,
                "no e-mail ties this identity to phishing results: add it to policy.people.aliases",
                **evidence,
            )
        else:
            yield _latest(person.email, recent, evidence)
    yield from not_privileged(ctx, chosen.values())


def _latest(email: str, recent: list[SimulationOutcome], evidence: dict) -> Result:
    """The verdict of the newest of the recent tests that reached them."""
    for outcome in reversed(recent):
        result = outcome.results.get(email)
        about = {**evidence, "test": outcome.test.key, "test_label": outcome.label}
        if result is None:
            if outcome.gap:  # it may have reached them
                return unknown(email, f"{outcome.label} may have reached them: {outcome.gap}", **about)
            continue
        if result.delivered is not True:
            continue  # bounced: it did not test them
        if result.failures is None:
            return unknown(email, f"their outcome in {outcome.label} is not recorded", **about)
        if result.failures:
            return failed(
                email,
                f"fell for {outcome.label}: {', '.join(result.failures)}",
                failures=list(result.failures),
                **about,
            )
        reported = " and reported it" if result.reported else ""
        return passed(email, f"did not fall for {outcome.label}{reported}", reported=result.reported, **about)
    if not recent:
        return unknown(email, "no finished phishing test to judge them by", **evidence)
    return unknown(email, f"none of the last {len(recent)} finished phishing tests reached them", **evidence)
