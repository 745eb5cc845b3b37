"""The same check scores seen through the standards: one group per reference namespace
(ATT&CK mitigations, CCSS, CIS Controls v8, SEAL, NIST CSF), one row per control.

A control's score is the weighted mean of the scores of the checks that cite it, the same
arithmetic as a mitigation's score, so a control backed by one failing check and one with
thousands of passing resources is not drowned. `coverage` is pure; `latest_coverage` reads
the store's newest evaluation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Engine
from sqlmodel import Session

from vaultward.contract.sdk import parse_reference
from vaultward.pipeline.rollup import Rollup
from vaultward.read.evaluations import EvaluationRow, latest_evaluation
from vaultward.read.scores import check_scores

# Namespaces in the order views show them, with their full names.
NAMESPACES: dict[str, str] = {
    "attack-mitigation": "MITRE ATT&CK mitigations",
    "ccss": "CryptoCurrency Security Standard (CCSS)",
    "cis-v8": "CIS Critical Security Controls v8",
    "seal": "SEAL Security Frameworks",
    "nist-csf": "NIST Cybersecurity Framework 2.0",
    "attack": "MITRE ATT&CK techniques",
}

# Names of the controls the built-in catalog cites, as the standards title them. A control
# not listed here is shown by its id alone.
CONTROL_TITLES: dict[str, str] = {
    "attack-mitigation:M1017": "User Training",
    "attack-mitigation:M1018": "User Account Management",
    "attack-mitigation:M1026": "Privileged Account Management",
    "attack-mitigation:M1030": "Network Segmentation",
    "attack-mitigation:M1032": "Multi-factor Authentication",
    "attack-mitigation:M1035": "Limit Access to Resource Over Network",
    "attack-mitigation:M1036": "Account Use Policies",
    "attack-mitigation:M1037": "Filter Network Traffic",
    "attack-mitigation:M1040": "Behavior Prevention on Endpoint",
    "attack-mitigation:M1041": "Encrypt Sensitive Information",
    "attack-mitigation:M1047": "Audit",
    "attack-mitigation:M1049": "Antivirus/Antimalware",
    "attack-mitigation:M1051": "Update Software",
    "attack:T1021": "Remote Services",
    "attack:T1021.004": "Remote Services: SSH",
    "attack:T1078": "Valid Accounts",
    "attack:T1078.004": "Valid Accounts: Cloud Accounts",
    "attack:T1090.003": "Proxy: Multi-hop Proxy",
    "attack:T1133": "External Remote Services",
    "attack:T1199": "Trusted Relationship",
    "attack:T1204.001": "User Execution: Malicious Link",
    "attack:T1204.002": "User Execution: Malicious File",
    "attack:T1552.001": "Unsecured Credentials: Credentials In Files",
    "attack:T1552.004": "Unsecured Credentials: Private Keys",
    "attack:T1556.006": "Modify Authentication Process: Multi-Factor Authentication",
    "attack:T1566": "Phishing",
    "attack:T1566.001": "Phishing: Spearphishing Attachment",
    "attack:T1566.002": "Phishing: Spearphishing Link",
    "attack:T1566.003": "Phishing: Spearphishing via Service",
    "attack:T1621": "Multi-Factor Authentication Request Generation",
    "attack:T1657": "Financial Theft",
    "ccss:v8:1.02": "Wallet Creation",
    "ccss:v8:1.03": "Key Storage",
    "ccss:v8:1.04": "Key Usage",
    "cis-v8:3.11": "Encrypt Sensitive Data at Rest",
    "cis-v8:3.12": "Segment Data Processing and Storage Based on Sensitivity",
    "cis-v8:3.6": "Encrypt Data on End-User Devices",
    "cis-v8:4.1": "Establish and Maintain a Secure Configuration Process",
    "cis-v8:5.3": "Disable Dormant Accounts",
    "cis-v8:5.4": "Restrict Administrator Privileges to Dedicated Administrator Accounts",
    "cis-v8:6.3": "Require MFA for Externally-Exposed Applications",
    "cis-v8:6.4": "Require MFA for Remote Network Access",
    "cis-v8:6.5": "Require MFA for Administrative Access",
    "cis-v8:6.8": "Define and Maintain Role-Based Access Control",
    "cis-v8:7.3": "Perform Automated Operating System Patch Management",
    "cis-v8:8.2": "Collect Audit Logs",
    "cis-v8:8.11": "Conduct Audit Log Reviews",
    "cis-v8:10.1": "Deploy and Maintain Anti-Malware Software",
    "cis-v8:12.2": "Establish and Maintain a Secure Network Architecture",
    "cis-v8:12.4": "Establish and Maintain Architecture Diagram(s)",
    "cis-v8:12.8": "Establish and Maintain Dedicated Computing Resources for All Administrative Work",
    "cis-v8:13.1": "Centralize Security Event Alerting",
    "cis-v8:13.2": "Deploy a Host-Based Intrusion Detection Solution",
    "cis-v8:13.4": "Perform Traffic Filtering Between Network Segments",
    "cis-v8:14.1": "Establish and Maintain a Security Awareness Program",
    "cis-v8:14.2": "Train Workforce Members to Recognize Social Engineering Attacks",
    "nist-csf:DE.CM-01": "Networks and network services are monitored",
    "nist-csf:DE.CM-03": (
        "Personnel activity and technology usage are monitored to find potentially adverse events"
    ),
    "nist-csf:DE.CM-09": "Computing hardware, software and their data are monitored",
    "nist-csf:ID.AM-03": (
        "Representations of the organization's authorized network communication and internal and "
        "external network data flows are maintained"
    ),
    "nist-csf:PR.AA-01": "Identities and credentials are managed",
    "nist-csf:PR.AA-03": "Users, services and hardware are authenticated",
    "nist-csf:PR.AA-05": "Access permissions and authorizations are managed",
    "nist-csf:PR.AT-01": "Personnel are provided with awareness and training",
    "nist-csf:PR.AT-02": "Individuals in specialized roles are provided with awareness and training",
    "nist-csf:PR.DS-01": "The confidentiality, integrity and availability of data-at-rest are protected",
    "nist-csf:PR.PS-01": "Configuration management practices are established and applied",
    "nist-csf:PR.IR-01": "Networks and environments are protected from unauthorized logical access and usage",
}


class ScoredCheck(Protocol):
    """What a control's score is computed from: a stored `CheckScore` fits."""

    check_id: str
    weight: float
    score: float | None
    passed: int
    failed: int
    unknown: int
    waived: int
    references: list[str]


@dataclass(frozen=True)
class ControlCoverage:
    namespace: str
    control: str  # the id within its namespace, e.g. "6.5", "M1032"
    title: str
    checks: tuple[str, ...]
    score: float | None  # weighted mean of its checks' scores; None when none has one
    passed: int
    failed: int
    unknown: int
    waived: int

    @property
    def reference(self) -> str:
        return f"{self.namespace}:{self.control}"

    @property
    def measured(self) -> bool:
        return self.passed + self.failed > 0


def _control_order(control: str) -> tuple:
    """Natural order: 6.5 before 12.2, T1078 before T1078.004."""
    parts = control.replace(":", ".").replace("-", ".").split(".")
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts)


def coverage(checks: Iterable[ScoredCheck]) -> dict[str, list[ControlCoverage]]:
    """{namespace: controls in natural order}, namespaces in the order of `NAMESPACES`
    (then any other), each control scored from the checks that cite it."""
    citing: dict[tuple[str, str], list[ScoredCheck]] = {}
    for check in checks:
        for reference in check.references:
            namespace, control = parse_reference(reference)
            citing.setdefault((namespace, control), []).append(check)
    grouped: dict[str, list[ControlCoverage]] = {}
    for (namespace, control), cited in citing.items():
        rollup = Rollup.of(cited)
        grouped.setdefault(namespace, []).append(
            ControlCoverage(
                namespace=namespace,
                control=control,
                title=CONTROL_TITLES.get(f"{namespace}:{control}", ""),
                checks=tuple(sorted(check.check_id for check in cited)),
                score=rollup.score,
                passed=rollup.passed,
                failed=rollup.failed,
                unknown=rollup.unknown,
                waived=rollup.waived,
            )
        )
    order = [*NAMESPACES, *sorted(set(grouped) - set(NAMESPACES))]
    return {
        namespace: sorted(grouped[namespace], key=lambda c: _control_order(c.control))
        for namespace in order
        if namespace in grouped
    }


def latest_coverage(engine: Engine) -> tuple[EvaluationRow | None, dict[str, list[ControlCoverage]]]:
    """The newest evaluation and its coverage (None and {} for an empty store)."""
    with Session(engine) as session:
        evaluation = latest_evaluation(session)
        if evaluation is None:
            return None, {}
        return evaluation, coverage(check_scores(session, evaluation.id))
