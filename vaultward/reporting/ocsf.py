"""The week's open findings as OCSF Compliance Finding events (class 2003), one JSON object
per line, for a SIEM or a security data lake. Built with py-ocsf-models (the OCSF models
Prowler maintains); same report, same bytes."""

from __future__ import annotations

import hashlib
import json
from importlib.metadata import PackageNotFoundError, version

from vaultward.reporting.content import FindingLine, WeeklyReport

SEVERITY_IDS = {"critical": 5, "high": 4, "medium": 3, "low": 2}
# Compliance status per finding status: a fail is Fail; unknown is Warning, which OCSF
# defines as "did not yield a result due to missing information".
COMPLIANCE_STATUS = {"fail": 3, "unknown": 2, "pass": 1}
STANDARD_NAMES = {
    "attack-mitigation": "MITRE ATT&CK Mitigations",
    "attack": "MITRE ATT&CK",
    "ccss": "CryptoCurrency Security Standard (CCSS)",
    "cis-v8": "CIS Critical Security Controls v8",
    "seal": "SEAL Security Frameworks",
    "nist-csf": "NIST Cybersecurity Framework 2.0",
}


def _product_version() -> str:
    try:
        return version("vaultward")
    except PackageNotFoundError:  # a source checkout that was never installed
        return "0"


def finding_uid(check_id: str, resource: str) -> str:
    """Stable across evaluations, so a SIEM updates one finding instead of piling up copies."""
    return "vaultward-" + hashlib.sha256(f"{check_id}\0{resource}".encode()).hexdigest()[:32]


def _event(report: WeeklyReport, line: FindingLine, about: dict) -> dict:
    from py_ocsf_models.events.findings.compliance_finding import ComplianceFinding
    from py_ocsf_models.objects.compliance import Compliance
    from py_ocsf_models.objects.finding_info import FindingInformation
    from py_ocsf_models.objects.metadata import Metadata
    from py_ocsf_models.objects.product import Product
    from py_ocsf_models.objects.remediation import Remediation
    from py_ocsf_models.objects.resource_details import ResourceDetails

    at = int(report.evaluated_at.timestamp() * 1000)  # OCSF times are epoch milliseconds
    references = about.get("references", [])
    standards = sorted({STANDARD_NAMES.get(ref.split(":", 1)[0], ref.split(":", 1)[0]) for ref in references})
    event = ComplianceFinding(
        class_name="Compliance Finding",
        activity_id=1,
        activity_name="Create",
        type_uid=200301,  # class_uid 2003 x 100 + activity 1
        type_name="Compliance Finding: Create",
        time=at,
        severity_id=SEVERITY_IDS.get(line.severity, 0),
        severity=line.severity.capitalize(),
        status_id=1,  # New: the consumer reviews it
        message=line.message,
        metadata=Metadata(
            product=Product(name="Vaultward", vendor_name="Vaultward", version=_product_version()),
            event_code=line.check_id,
            correlation_uid=f"evaluation-{report.evaluation_id}",
        ),
        finding_info=FindingInformation(
            uid=finding_uid(line.check_id, line.resource),
            title=about.get("title") or line.check_id,
            desc=about.get("risk") or None,
            created_time=at,
            types=[f"vaultward:{line.mitigation}"],
        ),
        compliance=Compliance(
            control=line.check_id,
            requirements=references or None,
            standards=standards or None,
            status_id=COMPLIANCE_STATUS.get(line.status, 0),
        ),
        remediation=Remediation(desc=about["remediation"]) if about.get("remediation") else None,
        resources=[ResourceDetails(uid=line.resource, name=line.resource_name)],
    )
    data = event.model_dump(mode="json", exclude_none=True)
    data["compliance"]["status"] = {3: "Fail", 2: "Warning", 1: "Pass"}.get(
        data["compliance"]["status_id"], "Unknown"
    )
    return data


def ocsf_findings(report: WeeklyReport) -> str:
    """Every open (fail or unknown) finding of the week's evaluation, one event per line."""
    checks = {
        check.check_id: {
            "title": check.title,
            "references": list(check.references),
            "risk": check.risk,
            "remediation": check.remediation,
        }
        for mitigation in report.mitigations
        for check in mitigation.checks
    }
    lines = [
        json.dumps(_event(report, line, checks.get(line.check_id, {})), sort_keys=True, ensure_ascii=False)
        for line in report.failing
    ]
    return "".join(line + "\n" for line in lines)
