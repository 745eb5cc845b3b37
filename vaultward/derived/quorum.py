"""How many must act to move a wallet's funds, in the words a reader checks against the
vendor's console: one phrase that the multisig check, the Wallets page and the weekly report
share, so none of them shows a second opinion.

- Safe: m of its owners ("2-of-3 owners").
- BitGo: m of its n keys (user, backup and BitGo's own: "2-of-3 keys"), and the wallet
  admins' approvals BitGo asks for (`approvalsRequired`) before it co-signs. The users who
  can spend are not the n: a wallet with one spender is still 2-of-3 keys.
- Fireblocks vaults are MPC: who approves is the transfer policy's business.
"""

from __future__ import annotations

from vaultward.contract.records import Wallet

UNITS = {"safe": "owners", "tss": "key shares"}
ADMIN_ROLE = "admin"  # BitGo's wallet permission that approves pending approvals


def quorum(wallet: Wallet) -> str:
    """ "2-of-3 owners", "2-of-3 keys; 1 approval of 2 admins", "MPC: approvals in the transfer
    policy", or "not reported"."""
    m, n = wallet.threshold, wallet.threshold_of
    if m is None:
        if wallet.multisig_type == "mpc":
            return "MPC: approvals in the transfer policy"
        return "not reported"
    text = f"{m}-of-{n if n is not None else '?'} {UNITS.get(wallet.multisig_type, 'keys')}"
    if wallet.approvals_required is not None:
        admins = sum(ADMIN_ROLE in roles for roles in wallet.signer_roles.values())
        plural = "s" if wallet.approvals_required != 1 else ""
        text += (
            f"; {wallet.approvals_required} approval{plural} of {admins} admin{'s' if admins != 1 else ''}"
        )
    return text
