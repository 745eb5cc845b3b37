"""Safe modules and guards outside the allow-list."""

from collections.abc import Iterator

from vaultward.contract.records import Wallet
from vaultward.contract.sdk import CheckContext, Result, check, failed, not_applicable, passed


@check(
    id="custody.safe_modules_allowlisted",
    title="Safes have no unexpected modules or guards",
    mitigation="custody",
    severity="high",
    weight=2,
    reads=[Wallet],
    references=["attack:T1657", "attack-mitigation:M1026", "seal:ms-2.1.2"],
    remediation=(
        "Remove modules and guards nobody can account for (a module executes without the owners' "
        "signatures), or add the reviewed ones to policy.custody.allowed_safe_modules / allowed_safe_guards."
    ),
)
def safe_modules_allowlisted(ctx: CheckContext) -> Iterator[Result]:
    """A Safe module can move funds without the owners' signatures: an unexpected one is a
    backdoor around the multisig, the kind an intruder with a signer's key installs."""
    allowed_modules = {m.lower() for m in ctx.policy.custody.allowed_safe_modules}
    allowed_guards = {g.lower() for g in ctx.policy.custody.allowed_safe_guards}
    for wallet in ctx.records(Wallet):
        if wallet.provider != "safe":
            yield not_applicable(wallet, f"a {wallet.provider} wallet: only Safes have modules and guards")
            continue
        modules = [m for m in wallet.modules if m.lower() not in allowed_modules]
        guard = wallet.guard if wallet.guard and wallet.guard.lower() not in allowed_guards else ""
        evidence = {"modules": wallet.modules, "guard": wallet.guard}
        if modules or guard:
            parts = [f"module(s) {', '.join(modules)}"] if modules else []
            parts += [f"guard {guard}"] if guard else []
            yield failed(wallet, "not on the allow-list: " + "; ".join(parts), **evidence)
        else:
            yield passed(wallet, "no module or guard outside the allow-list", **evidence)
