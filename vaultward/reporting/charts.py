"""Inline SVG charts for the HTML / PDF report, drawn server-side from numbers only (no
scripts, no fetches): a 0-100 sparkline per mitigation and a score bar."""

from __future__ import annotations

from markupsafe import Markup, escape

from vaultward.read.phishing_summary import SimulationPoint

# Band colours; every chart and badge also carries the band's name or the score as text, so
# a greyscale print loses nothing.
BAND_COLOURS: dict[str, str] = {
    "strong": "#1a7f37",
    "good": "#4d9a2a",
    "fair": "#b07d00",
    "weak": "#d1570f",
    "critical": "#c21f2d",
    "unmeasured": "#6e7781",
}


def band_colour(band: str) -> str:
    return BAND_COLOURS.get(band, BAND_COLOURS["unmeasured"])


def _y(score: float, height: float, pad: float) -> float:
    """0 at the bottom, 100 at the top: every sparkline shares one scale."""
    return pad + (height - 2 * pad) * (1 - max(0.0, min(100.0, score)) / 100)


def sparkline(values: list[float | None], colour: str, width: int = 132, height: int = 30) -> Markup:
    """One line over the weeks on a fixed 0-100 scale; gaps where a week has no score, a dot
    on the latest score. `aria-label` lists the values for screen readers. Fewer than two
    scored weeks draw no line: a lone dot reads as a trend, so the words say when one starts."""
    scored = sum(value is not None for value in values)
    if scored < 2:
        words = "trend from next week" if scored else "no scores yet"
        return Markup('<span class="small muted no-trend">%s</span>') % words
    pad = 3.0
    step = (width - 2 * pad) / max(1, len(values) - 1)
    segments: list[list[tuple[float, float]]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            if segments[-1]:
                segments.append([])
            continue
        segments[-1].append((pad + index * step, _y(value, height, pad)))
    parts = [
        f'<line x1="{pad}" y1="{_y(50, height, pad):.1f}" x2="{width - pad}" y2="{_y(50, height, pad):.1f}" '
        'stroke="#d0d7de" stroke-width="0.6" stroke-dasharray="2 2"/>'
    ]
    for segment in segments:
        if len(segment) == 1:
            x, y = segment[0]
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="1.4" fill="{colour}"/>')
        elif segment:
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in segment)
            parts.append(
                f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.6" '
                'stroke-linejoin="round" stroke-linecap="round"/>'
            )
    if values and values[-1] is not None:
        parts.append(
            f'<circle cx="{pad + (len(values) - 1) * step:.1f}" cy="{_y(values[-1], height, pad):.1f}" '
            f'r="2.4" fill="{colour}"/>'
        )
    label = ", ".join("no data" if v is None else f"{v:.1f}" for v in values)
    return Markup(  # noqa: S704 - built from numbers and fixed colours only
        f'<svg class="sparkline" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="weekly scores: {label}">'
        + "".join(parts)
        + "</svg>"
    )


def score_bar(score: float | None, colour: str, width: int = 120, height: int = 8) -> Markup:
    """A horizontal 0-100 bar; an empty outlined track when there is no score."""
    filled = 0.0 if score is None else width * max(0.0, min(100.0, score)) / 100
    return Markup(  # noqa: S704 - built from numbers and fixed colours only
        f'<svg class="bar" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-hidden="true">'
        f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" rx="2" fill="#f3f4f6" stroke="#c9ced4" '
        'stroke-width="0.6"/>'
        f'<rect x="0" y="0" width="{filled:.1f}" height="{height}" rx="2" fill="{colour}"/>'
        "</svg>"
    )


def phish_prone_chart(
    tests: list[SimulationPoint], bound: float | None, width: int = 460, height: int = 120
) -> Markup:
    """The organisation's phish-prone percentage test by test:
    a line through the finished tests, a hollow dot for one still running, a gap where a
    test cannot be measured, the bound dashed. `aria-label` lists every value."""
    points = [(test.label, test.percentage, test.final) for test in tests]
    pad, top = 6.0, 12.0
    known = [value for _, value, _ in points if value is not None]
    scale = max([*known, bound or 0.0, 1.0]) * 1.15
    y = lambda value: top + (height - top - pad) * (1 - value / scale)  # noqa: E731
    step = (width - 2 * pad) / max(1, len(points) - 1)
    parts = []
    if bound is not None:
        parts.append(
            f'<line x1="{pad}" y1="{y(bound):.1f}" x2="{width - pad}" y2="{y(bound):.1f}" stroke="#c21f2d" '
            'stroke-width="0.8" stroke-dasharray="4 3"/>'
            f'<text x="{width - pad}" y="{y(bound) - 2:.1f}" text-anchor="end" font-size="7" fill="#c21f2d">'
            f"bound {bound:g} %</text>"
        )
    segment: list[str] = []
    for index, (_, value, final) in enumerate(points):
        if value is None or not final:
            if len(segment) > 1:
                parts.append(
                    f'<polyline points="{" ".join(segment)}" fill="none" stroke="#2563eb" stroke-width="1.6"/>'
                )
            segment = []
        if value is None:
            continue
        x = pad + index * step
        anchor = "start" if index == 0 else ("end" if index == len(points) - 1 else "middle")
        parts.append(
            f'<text x="{x:.1f}" y="{y(value) - 4:.1f}" text-anchor="{anchor}" font-size="7" fill="#334155">'
            f"{value:.1f} %</text>"
        )
        if final:
            segment.append(f"{x:.1f},{y(value):.1f}")
            parts.append(f'<circle cx="{x:.1f}" cy="{y(value):.1f}" r="2.4" fill="#2563eb"/>')
        else:
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y(value):.1f}" r="2.4" fill="#ffffff" stroke="#2563eb" stroke-width="1"/>'
            )
    if len(segment) > 1:
        parts.append(
            f'<polyline points="{" ".join(segment)}" fill="none" stroke="#2563eb" stroke-width="1.6"/>'
        )
    label = "; ".join(
        f"{escape(name)}: {'not measured' if value is None else f'{value:.1f} %'}{'' if final else ' (running)'}"
        for name, value, final in points
    )
    return Markup(  # noqa: S704 - numbers, fixed colours, and escaped labels in an attribute
        f'<svg class="phish-chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="phish-prone percentage per test: {label}">' + "".join(parts) + "</svg>"
    )
