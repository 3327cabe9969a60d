"""The voice-match picture: a small bar with the calibrated zones and the clip's marker, as HTML.

Read at a glance: a marker with the percentage above it, over a bar whose left zone is where
different people usually fall and whose right zone is where the same person usually falls. It is
an inline SVG for a `gr.HTML`. Everything in it is a number formatted here or a constant string
from this package, escaped anyway; nothing a visitor typed or uploaded ever goes in. Text uses
`currentColor` and the zone colours are translucent, so it reads on light and dark themes; the
zones are also named in words, so colour is never the only cue.
"""

from __future__ import annotations

from html import escape

from components.voice_match.score import VoiceMatch

WIDTH = 300
"""SVG user units; the picture scales to its container (at most MAX_WIDTH_PX wide)."""
MAX_WIDTH_PX = 360
_BAR_Y, _BAR_H = 20, 10
DIFFERENT_COLOUR = "#ef4444"
SAME_COLOUR = "#22c55e"
TRACK_COLOUR = "#9ca3af"


def bar_html(match: VoiceMatch) -> str:
    """Safe HTML (an inline SVG) picturing one voice-match score.

    Args:
        match: the score to draw (its calibration bands come with it).
    Returns:
        A self-contained `<div>` with an accessible `role="img"` SVG; its label is
        `match.description()`.
    """
    x = WIDTH * min(max(match.percent, 0), 100) / 100
    different_end = WIDTH * match.different_below
    same_start = WIDTH * match.same_from
    anchor = "start" if x < 24 else "end" if x > WIDTH - 24 else "middle"
    label = escape(match.description(), quote=True)
    percent = escape(f"{match.percent}%")
    return (
        f'<div class="voice-match-bar" style="max-width:{MAX_WIDTH_PX}px">'
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} 52" width="100%" '
        f'role="img" aria-label="{label}">'
        f"<title>{label}</title>"
        f'<rect x="0" y="{_BAR_Y}" width="{WIDTH}" height="{_BAR_H}" rx="2" '
        f'fill="{TRACK_COLOUR}" fill-opacity="0.25"/>'
        f'<rect x="0" y="{_BAR_Y}" width="{different_end:.1f}" height="{_BAR_H}" '
        f'fill="{DIFFERENT_COLOUR}" fill-opacity="0.35"/>'
        f'<rect x="{same_start:.1f}" y="{_BAR_Y}" width="{WIDTH - same_start:.1f}" '
        f'height="{_BAR_H}" fill="{SAME_COLOUR}" fill-opacity="0.45"/>'
        f'<line x1="{x:.1f}" y1="{_BAR_Y - 5}" x2="{x:.1f}" y2="{_BAR_Y + _BAR_H + 5}" '
        f'stroke="currentColor" stroke-width="3"/>'
        f'<text x="{x:.1f}" y="11" text-anchor="{anchor}" font-size="12" font-weight="bold" '
        f'fill="currentColor">{percent}</text>'
        f'<text x="1" y="48" font-size="9" fill="currentColor" fill-opacity="0.8">'
        f"different people</text>"
        f'<text x="{WIDTH - 1}" y="48" text-anchor="end" font-size="9" fill="currentColor" '
        f'fill-opacity="0.8">same person</text>'
        "</svg></div>"
    )
