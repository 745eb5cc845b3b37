"""The inventory views: each person and each wallet, signing key and HSM cluster, assembled
from the latest facts and findings.

Pure functions over typed records and the latest evaluation's findings, resolved the way the
checks resolve them (the people Directory, the custody signer directory, the value tier), so
the dashboard shows what the checks judged and never a second opinion.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import NamedTuple, Protocol

from vaultward.config.policy import Policy
from vaultward.contract.records import HsmCluster, Record, SigningKey, TrainingRecord, TransferPolicy, Wallet
from vaultward.contract.sdk import CheckContext, RecordT
from vaultward.contract.vocabulary import SEVERITIES
from vaultward.derived.access import person_factors
from vaultward.derived.people import Person
from vaultward.derived.quorum import quorum
from vaultward.derived.signers import ROLE_WORDS, Signer

OPEN = ("fail", "unknown")  # what "fails for them": failing, or not shown to pass


class Issue(NamedTuple):
    """One open finding about a person or a custody object. The views are named tuples: tens
    of thousands are made at each evaluation and on each read of the stored inventory."""

    check_id: str
    status: str
    severity: str
    message: str

    @property
    def rank(self) -> tuple[int, int, str]:
        """Failing before unknown, then the most severe first."""
        severity = SEVERITIES.index(self.severity) if self.severity in SEVERITIES else len(SEVERITIES)
        return OPEN.index(self.status), severity, self.check_id


class PersonView(NamedTuple):
    id: str
    name: str
    machine: bool
    identity_class: str  # employee, guest, machine (vaultward.derived.people)
    why: str  # what makes them a guest or a machine ("" for an employee)
    active: bool  # some identity is not suspended or deprovisioned (counted as the census does)
    identities: tuple[str, ...]  # "okta: alice@acme.example", one per identity
    sources: tuple[str, ...]
    mfa: bool | None  # every active identity enrolled; None when a source does not say
    factor_kinds: tuple[str, ...]
    phishing_resistant: bool | None
    awareness_at: datetime | None  # latest passed awareness module
    lure_at: datetime | None  # latest passed lure (social-engineering) module
    training_measured: bool  # a training source is connected and an e-mail ties them to it
    privileged: bool | None
    roles: tuple[str, ...]  # admin roles and how they are privileged
    signer_for: tuple[str, ...]  # "signer of cold-reserve", "approver in TAP rule 3"
    issues: tuple[Issue, ...]


class WalletSigner(NamedTuple):
    """One signer of a wallet as the custody checks resolve it (checks/custody/signers.py)."""

    id: str  # as the vendor names it: owner address, user id
    person: str | None  # the person's e-mail; None when nothing ties the signer to one
    roles: tuple[str, ...]  # as the vendor names them: signer, spend, admin, SIGNER, approver in <rule>
    why_not: str = ""  # why there is no person

    @property
    def text(self) -> str:
        """ "bob@acme.example (spender)", or the vendor id and why no person is behind it. The
        approver roles are left out: the Transfer policy column names the rules."""
        own = [ROLE_WORDS.get(role, role) for role in self.roles if not role.startswith("approver in ")]
        said = ", ".join(own or ["approver"])
        if self.person:
            return f"{self.person} ({said})"
        return f"{self.id} ({said}; {self.why_not})"


class CustodyView(NamedTuple):
    kind: str  # wallet, signing key, HSM cluster
    key: str
    name: str
    provider: str
    scope: str
    hsm_backing: str
    issues: tuple[Issue, ...]
    threshold: str = ""  # vaultward.derived.quorum: "2-of-3 owners", "2-of-3 keys; 1 approval of 2 admins"
    signed_by: tuple[WalletSigner, ...] = ()  # who can sign, spend or approve, as people
    policy: tuple[str, ...] = ()  # transfer rules applying to it
    value_tier: str = ""  # high, standard, unknown; "" where it does not apply
    value_usd: str = ""  # "$1,250,000", "at least $60,000 (lower bound: ...)", "" when unknown

    @property
    def signers(self) -> tuple[str, ...]:
        """Each signer as people read it: their e-mail, or the vendor id and why no person."""
        return tuple(signer.text for signer in self.signed_by)


class OpenFinding(Protocol):
    """What the inventories read of a finding: a Finding, or a row of just these columns
    (the dashboard leaves evidence out: at 100,000 identities it is most of the bytes)."""

    resource: str
    check_id: str
    status: str
    severity: str
    message: str


def open_issues(findings: Iterable[OpenFinding]) -> dict[str, list[Issue]]:
    """The failing and unknown findings, by the resource they are about."""
    issues: dict[str, list[Issue]] = defaultdict(list)
    for finding in findings:
        if finding.status in OPEN:
            issues[finding.resource].append(
                Issue(finding.check_id, finding.status, finding.severity, finding.message)
            )
    return issues


def _about(issues: Mapping[str, list[Issue]], *resources: str) -> tuple[Issue, ...]:
    """The open issues about any of the resources, worst first."""
    found = (issue for resource in dict.fromkeys(resources) for issue in issues.get(resource, []))
    return tuple(sorted(found, key=lambda issue: issue.rank))


def _all_true(flags: Iterable[bool | None]) -> bool | None:
    """False if any is False, None if any is None (or there are none), else True."""
    values = list(flags)
    if any(flag is False for flag in values):
        return False
    if not values or any(flag is None for flag in values):
        return None
    return True


def _person_view(
    person: Person,
    training: list[TrainingRecord],
    ctx: CheckContext,
    signer_roles: Mapping[str, list[str]],
    issues: Mapping[str, list[Issue]],
) -> PersonView:
    # Facts load in no set order: sort what is listed so the view is stable.
    ordered = sorted(person.identities, key=lambda identity: (identity.source, identity.label, identity.key))
    active = [identity for identity in ordered if not identity.suspended]
    found = _about(issues, person.id, *(identity.key for identity in ordered))
    completed = {
        category: ctx.training_completions.get((person.email, category)) if person.email else None
        for category in ("awareness", "lure")
    }
    return PersonView(
        id=person.id,
        name=person.label,
        machine=person.machine,
        identity_class=person.identity_class,
        why=person.why,
        active=bool(active),
        identities=tuple(
            f"{identity.source}: {identity.label}" + (" (suspended)" if identity.suspended else "")
            for identity in ordered
        ),
        sources=tuple(person.sources),
        mfa=_all_true(identity.mfa_enrolled for identity in active),
        factor_kinds=tuple(sorted({kind for identity in active for kind in identity.factor_kinds})),
        phishing_resistant=person_factors(active).resistant if active else None,
        awareness_at=completed["awareness"],
        lure_at=completed["lure"],
        training_measured=bool(training) and bool(person.email),
        privileged=person.privileged,
        roles=tuple(
            dict.fromkeys(
                role for identity in active for role in (*identity.admin_roles, *identity.privileged_via)
            )
        ),
        signer_for=tuple(sorted(signer_roles.get(person.email, ()))) if person.email else (),
        issues=found,
    )


def people_view(
    records: Mapping[str, list[Record]], policy: Policy, findings: Iterable[OpenFinding], now: datetime
) -> list[PersonView]:
    """Every person (and machine account) with their identities, MFA, training, roles and the
    latest open findings about them or any of their identities."""
    return people_inventory(CheckContext(records, policy, now), open_issues(findings))


def people_inventory(ctx: CheckContext, issues: Mapping[str, list[Issue]]) -> list[PersonView]:
    """people_view() over an evaluation's context: the people, signer and training indexes
    its checks built are reused, not resolved again."""
    signer_roles = ctx.custody_people
    training = ctx.records(TrainingRecord)
    return [_person_view(person, training, ctx, signer_roles, issues) for person in ctx.people()]


def _in_order(records: list[RecordT]) -> list[RecordT]:
    """Facts load in no set order: list them by provider and name."""
    return sorted(records, key=lambda record: (getattr(record, "provider", ""), record.label, record.key))


def _wallet_backing(wallet: Wallet) -> str:
    if wallet.multisig_type in ("mpc", "tss"):
        return f"{wallet.multisig_type.upper()} key shares held by {wallet.provider}"
    if wallet.multisig_type:
        return f"{wallet.multisig_type} multisig: each signer holds a key"
    return "not reported"


def _signer(signer: Signer, roles: list[str]) -> WalletSigner:
    return WalletSigner(signer.id, signer.email, tuple(roles), signer.why_not)


def _rule_text(rule: TransferPolicy) -> str:
    approvals = "" if rule.approvals_required is None else f", {rule.approvals_required} approvals"
    return f"{rule.label} ({rule.rule_kind or 'rule'}{approvals})"


def custody_view(
    records: Mapping[str, list[Record]],
    policy: Policy,
    findings: Iterable[OpenFinding],
    now: datetime,
    field_gaps: Mapping[tuple[str, str], Mapping[str, str]] | None = None,
) -> list[CustodyView]:
    """Every wallet, signing key and HSM cluster: threshold, signers as people, HSM backing,
    transfer rules, value tier and the latest open findings about it. `field_gaps` are the
    evaluation's (Evidence.field_gaps): a refused balance request leaves the tier unknown."""
    return custody_inventory(CheckContext(records, policy, now, field_gaps), open_issues(findings))


def custody_inventory(ctx: CheckContext, issues: Mapping[str, list[Issue]]) -> list[CustodyView]:
    """custody_view() over an evaluation's context: signers resolve through the directory its
    custody checks used."""
    signers = ctx.signers
    views: list[CustodyView] = []
    for wallet in _in_order(ctx.records(Wallet)):
        applying = ctx.transfer_rules.applying(wallet)
        roles = ctx.wallet_signers(wallet)
        value = ctx.value_of(wallet)
        views.append(
            CustodyView(
                kind="wallet",
                key=wallet.key,
                name=wallet.label,
                provider=wallet.provider,
                scope=wallet.scope,
                threshold=quorum(wallet),
                signed_by=tuple(
                    _signer(signers.resolve(wallet.provider, s), done) for s, done in roles.items()
                ),
                hsm_backing=_wallet_backing(wallet),
                policy=tuple(_rule_text(rule) for rule in applying),
                value_tier=value.tier,
                value_usd=value.usd_text,
                issues=_about(issues, wallet.key),
            )
        )
    for key in _in_order(ctx.records(SigningKey)):
        if not key.signing:
            continue
        state = "" if key.enabled else ", disabled"
        views.append(
            CustodyView(
                kind="signing key",
                key=key.key,
                name=key.label,
                provider=key.provider,
                scope=key.scope,
                threshold="1 key",
                hsm_backing=f"{'HSM-backed' if key.hsm_backed else 'not HSM-backed'} (origin {key.origin or 'not reported'}{state})",
                issues=_about(issues, key.key),
            )
        )
    for cluster in _in_order(ctx.records(HsmCluster)):
        zones = ", ".join(cluster.availability_zones) or "no zone"
        views.append(
            CustodyView(
                kind="HSM cluster",
                key=cluster.key,
                name=cluster.label,
                provider=cluster.provider,
                scope=cluster.scope,
                hsm_backing=(
                    f"{cluster.state}: {cluster.active_hsm_count} of {cluster.hsm_count} HSMs active ({zones})"
                ),
                issues=_about(issues, cluster.key),
            )
        )
    return views
