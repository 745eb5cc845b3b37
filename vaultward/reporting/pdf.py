"""The weekly report as a PDF: the HTML page printed by WeasyPrint (the `pdf` extra), with the
same bytes for the same report."""

from __future__ import annotations

import hashlib

from vaultward.reporting.content import ReportError, WeeklyReport
from vaultward.reporting.html import render_html


def render_pdf(report: WeeklyReport, paper: str = "A4", dashboard_url: str | None = None) -> bytes:
    """Print the report page on `paper` (A4 or Letter). Reproducible: the document dates are
    the evaluation's (the page's `dcterms` meta) and the file identifier is derived from the
    page itself, so re-running a week over the same store gives the same sha256."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as error:  # OSError: the package is there, pango is not
        raise ReportError(
            f"PDF reports need WeasyPrint: install `vaultward[pdf]` ({error.__class__.__name__}: {error})"
        ) from None
    html = render_html(report, paper=paper, dashboard_url=dashboard_url)
    identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")
    pdf = HTML(string=html).write_pdf(pdf_identifier=identifier)
    if pdf is None:  # write_pdf returns bytes when given no target
        raise ReportError(f"PDF report {report.iso_week}: WeasyPrint returned nothing")
    return pdf
