"""The weekly report's data-quality caveats: what to keep in mind reading its scores, each one
true of the week's evaluation. Unknowns are explained by their real causes
(`vaultward.read.unknowns`): a source is called stale, failed or partial only when the
evaluation said so; otherwise the unknowns are the checks' own (missing data or settings)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from vaultward.read.unknowns import UnknownCauses

NAMED = 3  # sources or checks named per cause; the rest counted


def _names(counts: Counter[str], titles: Mapping[str, str] | None = None) -> str:
    """`a (3), b (1) and 2 more`, most findings first."""
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    shown = [f"{titles.get(name, name) if titles else name} ({n})" for name, n in ranked[:NAMED]]
    rest = len(ranked) - NAMED
    return ", ".join(shown) + (f" and {rest} more" if rest > 0 else "")


def unknown_caveat(causes: UnknownCauses, titles: Mapping[str, str]) -> str | None:
    """One sentence: how many resources are unknown and why, None when none is."""
    if not causes.total:
        return None
    parts = []
    if causes.stale:
        parts.append(f"{sum(causes.stale.values())} rest on stale sources: {_names(causes.stale)}")
    if causes.failed:
        parts.append(
            f"{sum(causes.failed.values())} from sources never collected successfully: {_names(causes.failed)}"
        )
    if causes.incomplete:
        parts.append(
            f"{sum(causes.incomplete.values())} wait for an incomplete listing: {_names(causes.incomplete)}"
        )
    if causes.unreadable:
        parts.append(f"{causes.unreadable} configured resource(s) could not be read")
    if causes.no_data:
        parts.append(
            f"{sum(causes.no_data.values())} where no source provides the data yet: {_names(causes.no_data, titles)}"
        )
    if causes.judged:
        parts.append(
            f"{sum(causes.judged.values())} the checks could not judge from the data or settings they have: "
            f"{_names(causes.judged, titles)}"
        )
    sentence = f"{causes.total} resource(s) could not be judged (unknown): {'; '.join(parts)}"
    if not causes.source_trouble:
        sentence += (
            ". None of these unknowns comes from a stale, failed or partial source: they wait for data "
            "or settings the checks do not have"
        )
    return sentence


def data_caveats(
    unmeasured: Iterable[str],
    causes: UnknownCauses,
    titles: Mapping[str, str],
    problems: Iterable[str],
    comparison: str | None,
) -> list[str]:
    """Every caveat of the report: unmeasured mitigations (by title), unknowns and their causes,
    partial collections used, the evaluation's problems, and `comparison` (why there is none)."""
    caveats = [f"{title}: no evidence collected; its score of 0 rests on no data" for title in unmeasured]
    unknown = unknown_caveat(causes, titles)
    if unknown:
        caveats.append(unknown)
    if causes.partial_runs:
        caveats.append(
            "partial collections used (what they could not read is unknown or carried forward): "
            + ", ".join(causes.partial_runs)
        )
    caveats += list(problems)
    if comparison:
        caveats.append(comparison)
    return caveats
