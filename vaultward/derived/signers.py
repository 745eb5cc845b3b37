"""The people behind wallets: who can sign or approve for each wallet, as each vendor defines
it, and which person each signer is. Checks read these through `CheckContext.signers`,
`transfer_rules`, `scope_signers`, `wallet_signers(wallet)` and `custody_people`.

Who signs is the vendor's model, recorded by its collector: Safe owners; BitGo wallet users
with `spend` or `admin` (admins also approve pending approvals); the Fireblocks console users
whose role holds an MPC key share (Owner, Admin, Signer), for every vault of their workspace;
and the approvers of the transfer rules that apply to a wallet (Fireblocks policy, BitGo
policy rules).

`policy.people.signers` only says which person an address or vendor user id is: it makes
nobody a signer. A signer is a person when that map names one for it, or when an identity
source knows the vendor user (the Fireblocks collector's `fireblocks:user:<id>` identities
carry the user's e-mail).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from vaultward.contract.records import Identity, TransferPolicy, Wallet
from vaultward.derived.people import Directory, Person


@dataclass(frozen=True)
class Signer:
    id: str  # as the vendor names it
    email: str | None  # the person behind it; None when nothing ties it to one
    why_not: str = ""  # why there is no person

    @property
    def label(self) -> str:
        return f"signer {self.id} ({self.email})" if self.email else f"signer {self.id}"


class SignerDirectory:
    """Resolves signers to people, and people to their identities, for one evaluation."""

    def __init__(self, directory: Directory, people: Iterable[Person]) -> None:
        self.directory = directory
        self.people = {person.id: person for person in people}
        self.by_identity = {
            identity.key: person for person in self.people.values() for identity in person.identities
        }

    def resolve(self, provider: str, signer: str) -> Signer:
        configured = self.directory.signer(signer)
        if configured:
            return Signer(signer, configured)
        person = self.by_identity.get(f"{provider}:user:{signer}") or self.by_identity.get(signer)
        if person is None:
            return Signer(signer, None, "not tied to a person: add it to policy.people.signers")
        if person.machine:
            account = person.identities[0]
            return Signer(signer, None, f"the machine account {account.email or account.label}, not a person")
        if not person.email:
            return Signer(signer, None, f"{person.label} has no e-mail: add it to policy.people.signers")
        return Signer(signer, person.email)

    def person(self, email: str) -> Person | None:
        return self.people.get(email)


# BitGo's permission names read as what the person is.
ROLE_WORDS = {"spend": "spender"}


class TransferRules:
    """Active transfer rules by (provider, wallet key; "" for every wallet) with their place
    in the listing: scanning every rule per wallet costs wallets x rules."""

    def __init__(self, rules: Iterable[TransferPolicy]) -> None:
        self.index: dict[tuple[str, str], list[tuple[int, TransferPolicy]]] = {}
        for position, rule in enumerate(rules):
            if rule.active:
                self.index.setdefault((rule.provider, rule.wallet), []).append((position, rule))

    def applying(self, wallet: Wallet) -> list[TransferPolicy]:
        """The active rules of the wallet's provider that name it or no wallet, in listing order."""
        found = self.index.get((wallet.provider, wallet.key), [])
        if wallet.key:
            found = found + self.index.get((wallet.provider, ""), [])
        return [rule for _, rule in sorted(found, key=lambda pair: pair[0])]


ScopeSigners = dict[tuple[str, str], dict[str, str]]


def scope_signers(identities: Iterable[Identity]) -> ScopeSigners:
    """(provider, scope) -> vendor user id -> role, for the active identities whose role lets
    them sign for every wallet of their scope (Fireblocks OWNER, ADMIN, SIGNER users). The
    user id is the one the vendor's policy names them by (the identity key is
    `<provider>:user:<id>`)."""
    found: ScopeSigners = {}
    for identity in identities:
        if identity.signing_role and not identity.suspended:
            user = identity.key.removeprefix(f"{identity.source}:user:")
            found.setdefault((identity.source, identity.scope), {})[user] = identity.signing_role
    return found


def wallet_signer_roles(
    wallet: Wallet, scoped: Mapping[tuple[str, str], Mapping[str, str]], rules: TransferRules
) -> dict[str, list[str]]:
    """Each signer of the wallet with what they may do: the wallet's own (its roles as the
    vendor names them: `owner`, `spend`, `admin`...), the users whose role signs for every
    wallet of its scope (Fireblocks `SIGNER`...), then the approvers of the active transfer
    rules of its provider that apply to it (rules naming no wallet apply to every wallet), as
    `approver in <rule>`."""
    roles: dict[str, list[str]] = {
        signer: list(wallet.signer_roles.get(signer) or ["signer"]) for signer in wallet.signers
    }

    def add(signer: str, role: str) -> None:
        if role not in roles.setdefault(signer, []):
            roles[signer].append(role)

    for user, role in scoped.get((wallet.provider, wallet.scope), {}).items():
        add(user, role)
    for rule in rules.applying(wallet):
        for approver in rule.approvers:
            add(approver, f"approver in {rule.label}")
    return roles


def custody_people(
    wallets: Iterable[Wallet],
    rules: Iterable[TransferPolicy],
    signers: SignerDirectory,
    roles_of: Callable[[Wallet], Mapping[str, list[str]]],
) -> dict[str, list[str]]:
    """Every person who can sign or approve custody transfers, by e-mail, with what they do
    where ("spender of ETH hot", "approver in TAP rule 1"): the wallet signers (`roles_of`
    gives a wallet's, as `wallet_signer_roles`) and transfer-rule approvers that resolve to a
    person. Someone `policy.people.signers` maps but who signs nothing is not one of them."""
    people: dict[str, list[str]] = {}

    def add(provider: str, signer: str, where: str) -> None:
        email = signers.resolve(provider, signer).email
        if email and where not in people.setdefault(email, []):
            people[email].append(where)

    for wallet in wallets:
        for signer, roles in roles_of(wallet).items():
            for role in roles:
                if not role.startswith("approver in "):
                    add(wallet.provider, signer, f"{ROLE_WORDS.get(role, role)} of {wallet.label}")
    for rule in rules:
        if rule.active:
            for approver in rule.approvers:
                add(rule.provider, approver, f"approver in {rule.label}")
    return dict(sorted(people.items()))
