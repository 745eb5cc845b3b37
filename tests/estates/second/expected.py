"""Northwind's expected findings, written by hand from the estate and each check's documented
meaning (its title, docstring, docs/writing-a-check.md, DESIGN.md's "Truth under missing data"),
before the product was run on this estate. Where the verdict rests on a vendor fact, the
comment names it.

`(check id, resource key) -> status`. Every resource a check should judge is listed; a
resource out of its scope is
`skipped` (not applicable, not_applicable_verdicts). Checks with no data at all report `("...", "*")`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.estates.second import custody_data as c
from tests.estates.second.aws_org import REGION, NorthwindAws
from tests.estates.second.identity_data import ENTRA_IDS, GUEST_UPN, OKTA_IDS
from tests.estates.second.roster_data import CSV_LABEL, GOOGLE_IDS, URI_COURSE

Verdicts = dict[tuple[str, str], str]


def _mail(first: str) -> str:
    return f"{first}@northwind.example"


def okta(local: str) -> str:
    return f"okta:{OKTA_IDS[local]}"


def entra(key: str) -> str:
    return f"entra:{ENTRA_IDS[key]}"


def google(local: str) -> str:
    return f"google:{GOOGLE_IDS[local]}"


def fireblocks_user(first: str) -> str:
    return f"fireblocks:user:fb-{first}"


SAFE_TREASURY = f"safe:eth:{c.TREASURY_SAFE.lower()}"
SAFE_OPS = f"safe:eth:{c.OPS_SAFE.lower()}"
SAFE_GRANTS = f"safe:eth:{c.GRANTS_SAFE.lower()}"
SAFE_PAYROLL = f"safe:eth:{c.PAYROLL_SAFE.lower()}"
BITGO_HOT, BITGO_OPS, BITGO_COLD = (
    f"bitgo:eth:{c.ETH_HOT}",
    f"bitgo:eth:{c.ETH_OPS}",
    f"bitgo:btc:{c.BTC_COLD}",
)
VAULT = {n: f"fireblocks:vault:{n}" for n in ("0", "1", "2")}
GUEST = GUEST_UPN.lower()


def identity_verdicts(aws: NorthwindAws) -> Verdicts:
    """Account-level identity checks: each sign-in account judged on its own."""
    nadia_iam = aws.user(aws.management, "nadia")
    priya_iam = aws.user(aws.production, "priya")
    omar_iam = aws.user(aws.corporate, "omar")
    contractor_iam = aws.user(aws.corporate, "old-contractor")
    return {
        # --- who can sign in with a password has MFA ------------------------------------
        # Okta: ACTIVE users sign in; a factor counts when its status is ACTIVE (UserFactor).
        # SUSPENDED and DEPROVISIONED users cannot sign in (User status): not judged.
        ("access.console_user_mfa", okta("nadia")): "pass",
        ("access.console_user_mfa", okta("omar")): "pass",  # SMS is a second factor, if phishable
        ("access.console_user_mfa", okta("priya")): "pass",  # lastLogin null: still ACTIVE
        ("access.console_user_mfa", okta("tara")): "pass",
        # svc-reporting is a machine (policy.people.machine_patterns `svc-*`): MFA checks judge
        # people (issue 16); a machine credential is another check's business. Not applicable (not_applicable_verdicts).
        # Entra: isMfaRegistered is "registered a strong authentication method for MFA".
        ("access.console_user_mfa", entra("nadia")): "pass",
        ("access.console_user_mfa", entra("priya")): "pass",
        ("access.console_user_mfa", entra("omar")): "pass",
        ("access.console_user_mfa", entra("sam")): "fail",
        # A B2B guest authenticates in their home tenant, whose MFA the resource tenant may
        # trust (cross-tenant access settings, inboundTrust); this tenant's registration report
        # cannot say whether the guest has MFA: unknown, not fail.
        ("access.console_user_mfa", entra("guest")): "unknown",
        # Fireblocks: "Two-factor authentication (2FA) is required for all users to sign in to
        # the Fireblocks Console" (support article "Configuring Two-Factor Authentication"),
        # every role's setup includes 2FA. Enabled users therefore have MFA; rosa is disabled.
        ("access.console_user_mfa", fireblocks_user("nadia")): "pass",
        ("access.console_user_mfa", fireblocks_user("omar")): "pass",
        ("access.console_user_mfa", fireblocks_user("priya")): "pass",
        # Google: every Workspace user signs in; isEnrolledIn2Sv says whether 2SV is on.
        # quentin (suspended) and rosa (archived) cannot sign in; deploy-bot is a machine.
        ("access.console_user_mfa", google("nadia")): "pass",
        ("access.console_user_mfa", google("priya")): "pass",
        ("access.console_user_mfa", google("sam")): "fail",
        ("access.console_user_mfa", google("tara")): "pass",
        # HR roster identities grant no sign-in (console_access false): not judged.
        # IAM: a login profile is a console password; ci-runner has none.
        ("access.console_user_mfa", nadia_iam): "pass",
        ("access.console_user_mfa", priya_iam): "pass",
        ("access.console_user_mfa", omar_iam): "fail",
        ("access.console_user_mfa", contractor_iam): "fail",
        # --- privileged identities have MFA -----------------------------------------------
        ("access.privileged_user_mfa", okta("nadia")): "pass",  # SUPER_ADMIN
        ("access.privileged_user_mfa", okta("tara")): "pass",  # HELP_DESK_ADMIN via a group
        ("access.privileged_user_mfa", entra("nadia")): "pass",  # isAdmin
        ("access.privileged_user_mfa", google("nadia")): "pass",  # isAdmin (super admin)
        ("access.privileged_user_mfa", google("tara")): "pass",  # isDelegatedAdmin
        ("access.privileged_user_mfa", fireblocks_user("nadia")): "pass",  # OWNER; 2FA mandatory
        ("access.privileged_user_mfa", nadia_iam): "pass",  # inline allow-all
        ("access.privileged_user_mfa", priya_iam): "pass",  # Admins group, AdministratorAccess
        # ci-runner (no password, key only) and svc-reporting are machines: not applicable (issue 16).
        # --- privileged identities have a phishing-resistant factor ---------------------
        ("access.privileged_phishing_resistant", okta("nadia")): "pass",  # webauthn (FIDO)
        # Okta documents FastPass (signed_nonce) as phishing-resistant.
        ("access.privileged_phishing_resistant", okta("tara")): "pass",
        ("access.privileged_phishing_resistant", entra("nadia")): "pass",  # fido2SecurityKey
        # The Directory API says whether 2SV is on (isEnrolledIn2Sv), never with which method.
        ("access.privileged_phishing_resistant", google("nadia")): "unknown",
        ("access.privileged_phishing_resistant", google("tara")): "unknown",
        # Fireblocks console 2FA is a TOTP authenticator app: phishable.
        ("access.privileged_phishing_resistant", fireblocks_user("nadia")): "fail",
        ("access.privileged_phishing_resistant", nadia_iam): "pass",  # U2F security key
        ("access.privileged_phishing_resistant", priya_iam): "fail",  # virtual (TOTP) device
        # Custody approvers holding no privileged identity, judged as people: omar (Safe Ops
        # owner, BitGo spender and cold-wallet admin, Fireblocks SIGNER) has SMS / TOTP only;
        # rosa (Treasury Safe owner) has no active identity left. priya is judged above through
        # her IAM admin user; nadia too. sam is in the signer map but signs nothing: no person finding (his accounts are not applicable, by key).
        ("access.privileged_phishing_resistant", _mail("omar")): "fail",
        ("access.privileged_phishing_resistant", _mail("rosa")): "unknown",
        # --- MFA enforced by policy ---------------------------------------------------------
        # Okta: the Finance rule (priority 0) allows factorMode 1FA for omar; the catch-all
        # requires 2FA for everyone else.
        ("access.mfa_enforced", okta("nadia")): "pass",
        ("access.mfa_enforced", okta("omar")): "fail",
        ("access.mfa_enforced", okta("priya")): "pass",
        ("access.mfa_enforced", okta("tara")): "pass",
        # Google: isEnforcedIn2Sv (2SV enforced for the user's OU or group).
        ("access.mfa_enforced", google("nadia")): "pass",
        ("access.mfa_enforced", google("priya")): "fail",  # /Engineering: not enforced
        ("access.mfa_enforced", google("sam")): "fail",
        ("access.mfa_enforced", google("tara")): "pass",
        # Entra: Conditional Access and security defaults refused (403): Entra reports
        # enforcement, but reading it failed this time, so each member's is unknown (issue 15
        # point 2: a failed side request leaves the checks reading its fields unknown).
        **{("access.mfa_enforced", entra(n)): "unknown" for n in ("nadia", "priya", "omar", "sam", "guest")},
        # Fireblocks enforces 2FA for every console user itself.
        ("access.mfa_enforced", fireblocks_user("nadia")): "pass",
        ("access.mfa_enforced", fireblocks_user("omar")): "pass",
        ("access.mfa_enforced", fireblocks_user("priya")): "pass",
        # --- keys -------------------------------------------------------------------------------
        # ci-runner's key: created 200 days ago (bound 90), used 10 days ago.
        ("access.access_key_age", f"{aws.user(aws.production, 'ci-runner')}#access_key_1"): "fail",
        # --- privileged machine credentials (issue 16) ------------------------------------
        # ci-runner: IAM credential report password_enabled false, mfa_active false,
        # access_key_1_active true (a key-only CI user); its inline policy allows Action "*" on
        # Resource "*" (IAM: every action on every resource, what AdministratorAccess grants),
        # and its key is 200 days old (policy.access bound 90).
        ("access.privileged_machine_credentials", aws.user(aws.production, "ci-runner")): "fail",
        # svc-reporting (machine_patterns `svc-*`): Okta role assignment REPORT_ADMIN (a scoped
        # standard role, not SUPER_ADMIN / ORG_ADMIN), but an ACTIVE user with a password
        # credential and no factor enrolled (UserFactor list empty): a password-only admin.
        ("access.privileged_machine_credentials", okta("svc-reporting")): "fail",
        # --- root ----------------------------------------------------------------------------
        ("access.root_mfa", f"aws:{aws.management}"): "pass",
        ("access.root_mfa", f"aws:{aws.production}"): "fail",
        ("access.root_mfa", f"aws:{aws.corporate}"): "fail",
    }


def people_verdicts(aws: NorthwindAws) -> Verdicts:
    """Person-level checks: people with an active identity; machines, guests and people who
    left (every identity suspended, deprovisioned or disabled) are not judged."""
    contractor = "identity:" + aws.user(aws.corporate, "old-contractor")
    return {
        # --- MFA in at least one source ---------------------------------------------------
        ("access.person_without_mfa", _mail("nadia")): "pass",
        ("access.person_without_mfa", _mail("omar")): "pass",  # Okta SMS, Entra mobilePhone
        ("access.person_without_mfa", _mail("priya")): "pass",
        # sam: Entra nothing registered, Google no 2SV; his HR roster entry is a record of
        # employment, not a login, so it is no "source that did not say" (issue 16).
        ("access.person_without_mfa", _mail("sam")): "fail",
        ("access.person_without_mfa", _mail("tara")): "pass",
        ("access.person_without_mfa", contractor): "fail",
        # quentin (Okta SUSPENDED, Google suspended, on leave) and uri (new hire) are on the
        # HR roster only: no account they sign in with was seen, so whether they have MFA is
        # unknown.
        ("access.person_without_mfa", _mail("quentin")): "unknown",
        ("access.person_without_mfa", _mail("uri")): "unknown",
        # the guest is not a person of the company (Entra userType guest): not applicable (issue 16).
        # rosa is terminated on the roster, deprovisioned / archived / disabled elsewhere.
        # --- awareness within 12 months -------------------------------------------------------
        ("training.awareness_recent", _mail("nadia")): "pass",  # 30 days
        ("training.awareness_recent", _mail("omar")): "pass",  # 100 days
        ("training.awareness_recent", _mail("priya")): "pass",  # 200 days
        ("training.awareness_recent", _mail("sam")): "pass",  # 50 days
        ("training.awareness_recent", _mail("tara")): "pass",  # 10 days
        ("training.awareness_recent", _mail("quentin")): "fail",  # employed, awareness Past Due
        ("training.awareness_recent", _mail("uri")): "fail",  # in progress in the LMS
        # IAM users carry no e-mail and no alias names this one.
        ("training.awareness_recent", contractor): "unknown",
        # --- lure training for privileged people and signers --------------------------------
        # Privileged: nadia (Okta SUPER_ADMIN ...), tara (HELP_DESK_ADMIN, Google delegated
        # admin), priya (IAM admin).
        # Signers (vendor model, issue 16): Safe owners nadia, priya, rosa, omar; Fireblocks
        # signing roles OWNER nadia, SIGNER omar ("Can sign transactions", Manage Users) and
        # TAP approvers nadia, priya; BitGo spend / admin users nadia, omar.
        ("training.lure_training_privileged", _mail("nadia")): "pass",  # 40 days
        # KnowBe4 In Progress, but the LMS shows the in-house recruiter workshop 20 days ago.
        ("training.lure_training_privileged", _mail("tara")): "pass",
        ("training.lure_training_privileged", _mail("priya")): "fail",  # 300 days (bound 180)
        ("training.lure_training_privileged", _mail("omar")): "fail",  # never
        ("training.lure_training_privileged", _mail("rosa")): "fail",  # left, still a Safe owner
        # --- overdue enrolments --------------------------------------------------------------
        ("training.overdue_enrolments", "knowbe4:enrollment:6"): "fail",  # quentin, Past Due
        ("training.overdue_enrolments", "knowbe4:enrollment:9"): "pass",  # tara, In Progress, no due date
        # rosa's enrollment 10: archived user, excluded (exclude_archived_users=true).
        # The LMS: uri's course was due 5 days ago and is still in progress.
        ("training.overdue_enrolments", f"{CSV_LABEL}:{_mail('uri')}:{URI_COURSE}:open"): "fail",
        # --- phish-prone percentage (bound 5 %) -------------------------------------------
        ("training.phish_prone_bound", _mail("nadia")): "pass",
        ("training.phish_prone_bound", _mail("omar")): "fail",  # 20 %
        ("training.phish_prone_bound", _mail("priya")): "pass",  # 4 %
        ("training.phish_prone_bound", _mail("quentin")): "fail",  # 12.5 %, still active in KnowBe4
        ("training.phish_prone_bound", _mail("sam")): "pass",
        ("training.phish_prone_bound", _mail("tara")): "pass",
        # rosa: archived in KnowBe4, not judged.
    }


def custody_verdicts(aws: NorthwindAws) -> Verdicts:
    return {
        # --- m-of-n of high-value wallets --------------------------------------------------
        ("custody.multisig_threshold", SAFE_TREASURY): "pass",  # ValueTier high, 2-of-3
        ("custody.multisig_threshold", SAFE_OPS): "fail",  # Purpose hot-wallet, 1-of-2
        # Value from the vendor x [policy.custody.prices] (BTC 97,000, ETH 3,000, USDC 1),
        # bound $100,000. BitGo "List wallets by coin": balanceString is the total balance in
        # base units of the coin (ETH 18 decimals, BTC 8); m-of-n is BitGo's `m` of its `n`
        # keys (user, backup, BitGo), 2-of-3 here.
        # ETH hot: 180 ETH = $540,000, above the bound: high-value, 2-of-3 keys.
        ("custody.multisig_threshold", BITGO_HOT): "pass",
        # ETH ops: 3.5 ETH = $10,500, every holding priced, below the bound: not high-value.
        ("custody.multisig_threshold", BITGO_OPS): "skipped",
        # BTC cold: 12.5 BTC = $1,212,500: high-value, 2-of-3 keys.
        ("custody.multisig_threshold", BITGO_COLD): "pass",
        # Safe balances (GET /api/v2/safes/{address}/balances/: the native coin with
        # tokenAddress null, ERC-20 tokens with their decimals). Grants: 20 ETH = $60,000 plus
        # 50,000 NWT, which has no price: at least $60,000, below the bound, so whether it is
        # high-value is unknown, never "not high-value".
        ("custody.multisig_threshold", SAFE_GRANTS): "unknown",
        # Payroll: 5 ETH = $15,000, all priced, no tag: not high-value.
        ("custody.multisig_threshold", SAFE_PAYROLL): "skipped",
        # Fireblocks vaults are MPC: approvals live in the TAP (transfer_policy_approvals).
        # --- Safe modules and guards --------------------------------------------------------
        ("custody.safe_modules_allowlisted", SAFE_TREASURY): "pass",
        ("custody.safe_modules_allowlisted", SAFE_OPS): "fail",  # guard not on the allow-list
        ("custody.safe_modules_allowlisted", SAFE_GRANTS): "pass",  # no module, guard 0x0 (none)
        ("custody.safe_modules_allowlisted", SAFE_PAYROLL): "pass",
        # --- BitGo policy rules ----------------------------------------------------------------
        # ETH hot is high-value ($540,000): it needs 2 admin approvals, and has 2, a whitelist
        # and a velocity limit.
        ("custody.bitgo_policy_rules", BITGO_HOT): "pass",
        # No `admin` in the payload: BitGo shows the policy only to wallet admins.
        ("custody.bitgo_policy_rules", BITGO_OPS): "unknown",
        ("custody.bitgo_policy_rules", BITGO_COLD): "fail",  # rules: [] -- no whitelist, no limit
        # --- transfer rules --------------------------------------------------------------------
        # TAP rule 0: 2 approvals (AND of one group th 2), allowOperatorAsAuthorizer false,
        # dstAddressType WHITELISTED. Rule 1: `amount` is the rule's lower bound, so transfers
        # from $50,000 up (high-value ones included) need no approval. Rule 2 blocks.
        ("custody.transfer_policy_approvals", "fireblocks:tap:0"): "pass",
        ("custody.transfer_policy_approvals", "fireblocks:tap:1"): "fail",
        # --- signers: distinct, phishing-resistant, lure-trained --------------------------
        # Treasury Safe: priya (push / TOTP, lure 300 days ago) and rosa (no training).
        ("custody.signers_distinct_mfa_trained", SAFE_TREASURY): "fail",
        ("custody.signers_distinct_mfa_trained", SAFE_OPS): "fail",  # omar
        ("custody.signers_distinct_mfa_trained", SAFE_GRANTS): "fail",  # omar and priya are owners
        ("custody.signers_distinct_mfa_trained", SAFE_PAYROLL): "fail",  # priya: push / TOTP
        ("custody.signers_distinct_mfa_trained", BITGO_HOT): "fail",  # omar spends
        ("custody.signers_distinct_mfa_trained", BITGO_OPS): "fail",  # omar spends
        # BitGo cold: nadia spends, but omar holds `admin` ("manage ... pending approvals"):
        # he approves its withdrawals, with SMS only and no lure training.
        ("custody.signers_distinct_mfa_trained", BITGO_COLD): "fail",
        # Fireblocks: users with the SIGNER (and OWNER / ADMIN) role "can sign transactions"
        # (Manage Users) and set up MPC key shares (User setup): omar signs for every vault,
        # whatever the TAP names as approvers.
        ("custody.signers_distinct_mfa_trained", VAULT["0"]): "fail",
        ("custody.signers_distinct_mfa_trained", VAULT["1"]): "fail",
        ("custody.signers_distinct_mfa_trained", VAULT["2"]): "fail",
        # --- keys and HSMs ------------------------------------------------------------------------
        ("custody.signing_keys_hsm_backed", aws.resources["kms:payments-signer"]): "pass",  # AWS_KMS origin
        ("custody.hsm_cluster_redundant", "*"): "unknown",  # no CloudHSM in this estate: no data
        ("segmentation.hsm_reachable_from_signing_only", "*"): "unknown",
    }


def network_verdicts(aws: NorthwindAws) -> Verdicts:
    r = aws.resources
    return {
        # --- admin ports open to the internet, every zone ----------------------------------
        ("segmentation.no_admin_ports_from_internet", r["vpc:default:production"]): "fail",  # 22, 3389
        ("segmentation.no_admin_ports_from_internet", r["vpc:payments"]): "pass",
        # corp-tools: the account says production, the tag Environment=corp says corporate.
        # A contradiction is reported (zone_classification_consistent below), not resolved
        # silently: "pass" would decide it for production. Clean under either reading, and a
        # clean corporate VPC is not scored: not applicable, which cannot raise the score.
        ("segmentation.no_admin_ports_from_internet", r["vpc:corp-tools"]): "skipped",
        ("segmentation.no_admin_ports_from_internet", r["vpc:analytics"]): "fail",  # unclassified, 22 open
        ("segmentation.no_admin_ports_from_internet", r["vpc:office"]): "fail",  # corporate, 3389 open
        ("segmentation.no_admin_ports_from_internet", r["vpc:default:management"]): "skipped",
        ("segmentation.no_admin_ports_from_internet", r["vpc:default:corporate"]): "skipped",
        # --- corporate to production paths --------------------------------------------------
        ("segmentation.no_corporate_production_path", r["vpc:default:production"]): "fail",  # office peering
        # payments is peered with corp-tools, which its tag calls corporate: if the tag is
        # right this is a corporate-to-production path, so both ends fail (the worst verdict
        # over the readings; the issue: the peering finding must not disappear).
        ("segmentation.no_corporate_production_path", r["vpc:payments"]): "fail",
        ("segmentation.no_corporate_production_path", r["vpc:corp-tools"]): "fail",
        ("segmentation.no_corporate_production_path", r["vpc:analytics"]): "unknown",  # unclassified
        ("segmentation.no_corporate_production_path", r["vpc:default:management"]): "unknown",
        # --- production network ACLs (every VPC's default ACL allows all, rule 100) ---------
        ("segmentation.no_allow_all_nacls", r["acl:default:production"]): "fail",
        ("segmentation.no_allow_all_nacls", r["acl:payments"]): "fail",
        # corp-tools: fails if production, not judged if corporate: fail is no better than the
        # evidence either way.
        ("segmentation.no_allow_all_nacls", r["acl:corp-tools"]): "fail",
        # --- zone rules that agree ---------------------------------------------------------
        # corp-tools: account (production_accounts) vs tag Environment=corp: the conflict.
        ("segmentation.zone_classification_consistent", r["vpc:corp-tools"]): "fail",
        # One rule, or rules that agree (payments: account and tag both say production).
        ("segmentation.zone_classification_consistent", r["vpc:payments"]): "pass",
        ("segmentation.zone_classification_consistent", r["vpc:default:production"]): "pass",
        ("segmentation.zone_classification_consistent", r["vpc:office"]): "pass",
        ("segmentation.zone_classification_consistent", r["vpc:default:corporate"]): "pass",
        # No rule classifies the management account's VPCs: nothing to agree on.
        ("segmentation.zone_classification_consistent", r["vpc:analytics"]): "skipped",
        ("segmentation.zone_classification_consistent", r["vpc:default:management"]): "skipped",
        # --- production accounts in their own OU ------------------------------------------
        ("segmentation.production_accounts_own_ou", f"aws:{aws.production}"): "pass",
    }


def detection_verdicts(aws: NorthwindAws) -> Verdicts:
    r = aws.resources
    return {
        ("detection.cloudtrail_logging", f"aws:{aws.management}"): "pass",  # multi-region, logging
        ("detection.cloudtrail_logging", f"aws:{aws.production}"): "fail",  # single-region only
        ("detection.cloudtrail_logging", f"aws:{aws.corporate}"): "fail",  # none
        (
            "detection.guardduty_enabled",
            f"aws:{aws.management}/{REGION}:guardduty/{r['guardduty:management']}",
        ): "pass",
        # a detector created with Enable=False is suspended
        (
            "detection.guardduty_enabled",
            f"aws:{aws.production}/{REGION}:guardduty/{r['guardduty:production']}",
        ): "fail",
        ("detection.guardduty_enabled", f"aws:{aws.corporate}/{REGION}:guardduty"): "fail",  # no detector
    }


def not_applicable_verdicts(aws: NorthwindAws, now: datetime) -> Verdicts:
    """What each check reports as not applicable (issue 15 point 4: nothing vanishes): the
    records of a kind it judges that are out of its scope, each with the reason the check
    gives. Written from the estate, as the notes above say why each is not judged."""
    r = aws.resources
    ci_runner = aws.user(aws.production, "ci-runner")
    contractor_iam = aws.user(aws.corporate, "old-contractor")
    omar_iam = aws.user(aws.corporate, "omar")
    roster = [f"internal_http:hr_roster:E20{n}" for n in range(1, 9)]
    sign_in = "access.console_user_mfa", "access.mfa_enforced"
    privileged = "access.privileged_user_mfa", "access.privileged_phishing_resistant"
    verdicts: Verdicts = {}
    # Identities that cannot sign in: ci-runner has no login profile; the HR roster grants no
    # sign-in; Okta SUSPENDED quentin and DEPROVISIONED rosa; Google suspended quentin and
    # archived rosa; rosa's Fireblocks user is disabled.
    for check in sign_in:
        for key in (
            ci_runner,
            *roster,
            okta("quentin"),
            okta("rosa"),
            google("quentin"),
            google("rosa"),
            fireblocks_user("rosa"),
        ):
            verdicts[(check, key)] = "skipped"
    # IAM does not report MFA enforcement: the enrolment checks judge these sign-ins.
    for key in (
        aws.user(aws.management, "nadia"),
        aws.user(aws.production, "priya"),
        omar_iam,
        contractor_iam,
    ):
        verdicts[("access.mfa_enforced", key)] = "skipped"
    # Not privileged (or suspended): the HR roster, Okta omar / priya / quentin / rosa, Entra
    # priya / omar / sam / the guest, Google priya / sam / quentin / rosa and deploy-bot, IAM
    # omar and old-contractor, Fireblocks omar (SIGNER) / priya (APPROVER) / rosa (disabled).
    for check in privileged:
        for key in (
            *roster,
            okta("omar"),
            okta("priya"),
            okta("quentin"),
            okta("rosa"),
            *(entra(n) for n in ("priya", "omar", "sam", "guest")),
            *(google(n) for n in ("priya", "sam", "quentin", "rosa", "deploy-bot")),
            omar_iam,
            contractor_iam,
            *(fireblocks_user(n) for n in ("omar", "priya", "rosa")),
        ):
            verdicts[(check, key)] = "skipped"
    # People who are not judged: the machines (ci-runner, svc-reporting, deploy-bot) and rosa,
    # every one of whose identities is deprovisioned, archived, disabled or terminated.
    machines = [f"machine:{ci_runner}", f"machine:{okta('svc-reporting')}", f"machine:{google('deploy-bot')}"]
    for check in ("access.person_without_mfa", "training.awareness_recent"):
        for person in (*machines, _mail("rosa")):
            verdicts[(check, person)] = "skipped"
    # Lure training: the machines, and people neither privileged nor a signer or approver
    # (quentin, uri, the old contractor, the guest). rosa still owns the Treasury Safe: judged.
    for person in (*machines, _mail("quentin"), _mail("uri"), "identity:" + contractor_iam, GUEST):
        verdicts[("training.lure_training_privileged", person)] = "skipped"
    # Machines and the guest: out of the people checks' scope, so not applicable (issue 16).
    for check in sign_in:
        for key in (okta("svc-reporting"), google("deploy-bot")):
            verdicts[(check, key)] = "skipped"
    for check in privileged:
        for key in (okta("svc-reporting"), ci_runner):
            verdicts[(check, key)] = "skipped"
    for check in ("access.person_without_mfa", "training.awareness_recent"):
        verdicts[(check, GUEST)] = "skipped"  # Entra userType guest: not a person of the company
    # Privileged machine credentials judge machines only: every employee's and the guest's
    # identity is not applicable; deploy-bot is a machine (`*-bot@*`) whose Directory user has
    # isAdmin and isDelegatedAdmin false: no administrator rights, its credentials are not judged.
    people_identities = [
        *(okta(n) for n in ("nadia", "omar", "priya", "quentin", "rosa", "tara")),
        *(entra(n) for n in ("nadia", "priya", "omar", "sam", "guest")),
        *(google(n) for n in ("nadia", "priya", "sam", "tara", "quentin", "rosa")),
        aws.user(aws.management, "nadia"),
        aws.user(aws.production, "priya"),
        omar_iam,
        contractor_iam,
        *roster,
        *(fireblocks_user(n) for n in ("nadia", "omar", "priya", "rosa")),
        google("deploy-bot"),
    ]
    for key in people_identities:
        verdicts[("access.privileged_machine_credentials", key)] = "skipped"
    # sam signs nothing (his mapped address owns no Safe) and is not privileged.
    verdicts[("training.lure_training_privileged", _mail("sam"))] = "skipped"
    # Wallets of another vendor: BitGo rules judge BitGo wallets, module checks Safes.
    for wallet in (SAFE_TREASURY, SAFE_OPS, SAFE_GRANTS, SAFE_PAYROLL, *VAULT.values()):
        verdicts[("custody.bitgo_policy_rules", wallet)] = "skipped"
    for wallet in (BITGO_HOT, BITGO_OPS, BITGO_COLD, *VAULT.values()):
        verdicts[("custody.safe_modules_allowlisted", wallet)] = "skipped"
    # Fireblocks vaults are MPC: their approvals are the TAP's (transfer_policy_approvals).
    for vault in VAULT.values():
        verdicts[("custody.multisig_threshold", vault)] = "skipped"
    # Not transfer rules: the hot wallet's whitelist and velocity limit, and TAP rule 2 (BLOCK).
    verdicts[("custody.transfer_policy_approvals", f"{BITGO_HOT}:rule:Exchange and cold storage only")] = (
        "skipped"
    )
    verdicts[("custody.transfer_policy_approvals", f"{BITGO_HOT}:rule:20 ETH a day")] = "skipped"
    verdicts[("custody.transfer_policy_approvals", "fireblocks:tap:2")] = "skipped"
    # ACLs outside production: the management account's VPCs are unclassified, the corporate
    # account's are corporate.
    for acl in ("analytics", "default:management", "office", "default:corporate"):
        verdicts[("segmentation.no_allow_all_nacls", r[f"acl:{acl}"])] = "skipped"
    # Corporate VPCs are the far end of the paths judged at the production VPCs.
    for vpc in ("office", "default:corporate"):
        verdicts[("segmentation.no_corporate_production_path", r[f"vpc:{vpc}"])] = "skipped"
    # Only production accounts are judged for their OU.
    for account in (aws.management, aws.corporate):
        verdicts[("segmentation.production_accounts_own_ou", f"aws:{account}")] = "skipped"
    # Enrolments with nothing due: passed or completed (KnowBe4 1-5, 7, 8 and omar's policy
    # 11; tara's LMS workshop, passed 20 days ago).
    for enrollment in (1, 2, 3, 4, 5, 7, 8, 11):
        verdicts[("training.overdue_enrolments", f"knowbe4:enrollment:{enrollment}")] = "skipped"
    workshop = (now - timedelta(days=20)).date().isoformat()
    lms = f"{CSV_LABEL}:{_mail('tara')}:Deepfake recruiter calls:{workshop}T00:00:00+00:00"
    verdicts[("training.overdue_enrolments", lms)] = "skipped"
    return verdicts


def pst(test: int) -> str:
    return f"knowbe4:pst:{test}"


def phishing_verdicts(aws: NorthwindAws) -> Verdicts:
    """The phishing programme (training_data.py's six tests, P1-P6 = pst 99097-99102).

    KnowBe4 facts: a failure is a click, data entered, an attachment opened, a macro
    enabled, a reply or a QR code scanned, each counted, and a campaign's phish-prone
    percentage is the failures over the messages delivered (support: "Failures and
    Phish-prone Percentages"); a test whose status is "Closed" is final, an "Open" one is
    still sent or tracked (the Reporting API's campaign example lists both);
    `scheduled_count` is how many recipients KnowBe4 scheduled. Policy defaults: bound 5 %,
    the trend judges the last 4 finished tests, repeat clickers fail 2 of the last 6.
    """
    contractor = "identity:" + aws.user(aws.corporate, "old-contractor")
    ci_runner = aws.user(aws.production, "ci-runner")
    machines = [f"machine:{ci_runner}", f"machine:{okta('svc-reporting')}", f"machine:{google('deploy-bot')}"]
    trend, repeat, latest = (
        "training.phish_prone_trend",
        "training.repeat_clickers",
        "training.privileged_clicked_latest",
    )
    return {
        # --- the organisation's phish-prone percentage, test by test --------------------
        # P1 (200 days): 3 failures / 7 delivered; a finished test before the last four.
        (trend, pst(99097)): "skipped",
        # P2 (150 days): KnowBe4 scheduled 6, its recipient listing holds 5: not measured.
        (trend, pst(99098)): "unknown",
        # P3 (110 days): 0 %, but the test before it (P2) cannot be measured.
        (trend, pst(99099)): "unknown",
        # P4 (80 days): 0 %, level with P3 and under the bound.
        (trend, pst(99100)): "pass",
        # P5 (20 days): omar clicked, 1 / 5 = 20 %, over the bound.
        (trend, pst(99101)): "fail",
        # P6 (3 days): status Open, results not final.
        (trend, pst(99102)): "skipped",
        # --- repeat clickers over P1-P5 (P6 is still open) -------------------------------
        (repeat, _mail("nadia")): "pass",  # reported every test
        (repeat, _mail("omar")): "fail",  # clicked P1, clicked and entered data P2, clicked P5
        # priya clicked P1; P2 does not list all its recipients and not her: a second failure
        # may be there.
        (repeat, _mail("priya")): "unknown",
        (repeat, _mail("quentin")): "pass",  # active in KnowBe4, never failed
        (repeat, _mail("sam")): "pass",  # his click is in the open P6 only
        (repeat, _mail("tara")): "pass",
        # rosa clicked P1 but has left: every identity deprovisioned, archived or terminated.
        (repeat, _mail("rosa")): "skipped",
        (repeat, pst(99098)): "unknown",  # the people P2 does not list cannot be judged
        # --- administrators and signers, by the newest finished test that reached them ----
        (latest, _mail("nadia")): "pass",  # reported P5
        (latest, _mail("tara")): "pass",  # P5, did nothing
        (latest, _mail("omar")): "fail",  # clicked P5 (a Safe owner and Fireblocks SIGNER)
        # priya and rosa are not recipients of P3-P5 and P2 does not list all of its own: it
        # may have reached them.
        (latest, _mail("priya")): "unknown",
        (latest, _mail("rosa")): "unknown",  # left, but still a Treasury Safe owner
        # neither privileged nor signers: as lure training says (sam signs nothing).
        **{
            (latest, person): "skipped"
            for person in (*machines, _mail("quentin"), _mail("uri"), contractor, GUEST, _mail("sam"))
        },
    }


def endpoint_verdicts(aws: NorthwindAws) -> Verdicts:
    """Northwind connects no device source: the signers and administrators (nadia, tara,
    priya, omar, rosa, as for lure training) are unknown in access.signer_devices, never a
    pass; EDR coverage has no data. The Okta, Entra and Google Workspace collectors read their
    sign-in logs by default, and Northwind's fakes serve each one whole over the 14-day window
    with no event in it (its data has no System Log events, sign-ins or login activities): a
    person all of whose identity sources' logs are complete shows no takeover signal and
    passes. Entra's log is not such a log: Graph v1.0 lists interactive and federated
    sign-ins only (signin-list), so whoever signs in with Entra (nadia, priya, omar) is
    unknown, the log naming non-interactive sign-ins as not read. rosa has no active
    identity left, so no log can speak for her: unknown. The
    takeover check judges identities' people, so everyone else is not applicable, as in lure
    training."""
    verdicts: Verdicts = {}
    for person in ("nadia", "tara", "priya", "omar", "rosa"):
        verdicts[("access.signer_devices", _mail(person))] = "unknown"  # no device source is connected
    # complete, empty logs of every source they sign in with: okta for all four, entra for
    # nadia, priya and omar, google_workspace for nadia, priya and tara
    verdicts[("access.account_takeover_signals", _mail("tara"))] = "pass"  # okta and google only
    for person in ("nadia", "priya", "omar"):
        verdicts[("access.account_takeover_signals", _mail(person))] = "unknown"  # entra's log reads less
    verdicts[("access.account_takeover_signals", _mail("rosa"))] = "unknown"  # no identity lists her
    ci_runner = aws.user(aws.production, "ci-runner")
    contractor = "identity:" + aws.user(aws.corporate, "old-contractor")
    machines = [f"machine:{ci_runner}", f"machine:{okta('svc-reporting')}", f"machine:{google('deploy-bot')}"]
    for person in (*machines, _mail("quentin"), _mail("uri"), _mail("sam"), contractor, GUEST):
        verdicts[("access.account_takeover_signals", person)] = "skipped"
    verdicts[("detection.edr_coverage", "*")] = "unknown"  # no data: nothing of kind device
    return verdicts


def expected_verdicts(aws: NorthwindAws, now: datetime | None = None) -> Verdicts:
    return {
        **identity_verdicts(aws),
        **people_verdicts(aws),
        **custody_verdicts(aws),
        **network_verdicts(aws),
        **detection_verdicts(aws),
        **phishing_verdicts(aws),
        **endpoint_verdicts(aws),
        **not_applicable_verdicts(aws, now or datetime.now(UTC)),
    }


# Check scores where they are cheap to state: 100 x passing / judged (unknown counts as not
# passing, skipped is left out).
EXPECTED_SCORES = {
    "access.root_mfa": 100 / 3,
    "access.access_key_age": 0.0,
    "custody.safe_modules_allowlisted": 75.0,  # 3 of 4 Safes
    "custody.transfer_policy_approvals": 50.0,
    "custody.bitgo_policy_rules": 100 / 3,
    "custody.multisig_threshold": 60.0,  # 3 of 5 judged (Treasury, BitGo hot and cold pass)
    "custody.signing_keys_hsm_backed": 100.0,
    "custody.signers_distinct_mfa_trained": 0.0,
    "detection.cloudtrail_logging": 100 / 3,
    "detection.guardduty_enabled": 100 / 3,
    "training.phish_prone_bound": 400 / 6,
    "training.overdue_enrolments": 100 / 3,
    "training.phish_prone_trend": 25.0,  # P4 of P2-P5
    "training.repeat_clickers": 400 / 7,  # nadia, quentin, sam, tara of 7 judged
    "segmentation.production_accounts_own_ou": 100.0,
    "access.signer_devices": 0.0,  # five unknown
    "access.account_takeover_signals": 20.0,  # tara of five (the entra users and rosa unknown)
}
