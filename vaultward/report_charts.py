"""Inline SVG charts for the HTML / PDF report, drawn server-side from numbers only (no
scripts, no fetches): a 0-100 sparkline per mitigation and a score bar."""

from __future__ import annotations

from markupsafe import Markup

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
    on the latest score. `aria-label` lists the values for screen readers."""
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
