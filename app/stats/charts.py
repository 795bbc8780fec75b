"""Server-rendered SVG charts: no script, print sharply on A4, and each has a table beside it.

Every chart takes the same rows as the table next to it, so the two cannot disagree.
Each bar or tile carries ``data-value`` (tests read it) and a <title> with its figure;
the <svg> is ``role="img"`` with a label that points at the table.
"""
from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

PALETTE = ("#1a5fb4", "#e66100", "#2e7d32", "#6a1b9a")


@dataclass(frozen=True)
class Series:
    name: str
    values: list[int | float]


def _fmt(value) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"


def bars(labels: list[str], series: list[Series], *, label: str, table_id: str = "", width: int = 640,
         bar_height: int = 18) -> Markup:
    """Horizontal bars, one group per label, one bar per series (a legend when more than one)."""
    if not labels:
        return Markup("")
    label_w, gap = 150, 10
    group_h = bar_height * len(series) + gap
    legend_h = 22 if len(series) > 1 else 0
    height = legend_h + group_h * len(labels) + 4
    top = max((max(s.values, default=0) for s in series), default=0) or 1
    plot_w = width - label_w - 70
    out = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
           f'aria-label="{escape(label)}"' + (f' aria-describedby="{escape(table_id)}"' if table_id else "")
           + ' xmlns="http://www.w3.org/2000/svg">']
    if legend_h:
        x = label_w
        for i, s in enumerate(series):
            out.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{PALETTE[i % len(PALETTE)]}"/>'
                       f'<text x="{x + 16}" y="15" class="chart-legend">{escape(s.name)}</text>')
            x += 24 + 13 * len(s.name)
    for row, text in enumerate(labels):
        y0 = legend_h + row * group_h
        out.append(f'<text x="{label_w - 8}" y="{y0 + group_h / 2 + 2:.0f}" text-anchor="end" '
                   f'class="chart-label">{escape(text)}</text>')
        for i, s in enumerate(series):
            value = s.values[row]
            w = 0 if not value else max(plot_w * value / top, 1)
            y = y0 + i * bar_height
            out.append(f'<g class="chart-bar" data-label="{escape(text)}" data-series="{escape(s.name)}" '
                       f'data-value="{value}"><title>{escape(text)} {escape(s.name)}: {_fmt(value)}</title>'
                       f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_height - 3}" '
                       f'fill="{PALETTE[i % len(PALETTE)]}"/>'
                       f'<text x="{label_w + w + 4:.1f}" y="{y + bar_height - 6}" class="chart-value">'
                       f'{_fmt(value)}</text></g>')
    out.append("</svg>")
    return Markup("".join(out))


def cumulative_line(points: list[tuple[int, int]], *, label: str, table_id: str = "", width: int = 640,
                    height: int = 220, x_caption: str = "") -> Markup:
    """A step line of (days before the event, cumulative count), days counting down to 0 on the right."""
    return cumulative_lines([("", points)], label=label, table_id=table_id, width=width, height=height,
                            x_caption=x_caption)


def cumulative_lines(lines: list[tuple[str, list[tuple[int, int]]]], *, label: str, table_id: str = "",
                     width: int = 640, height: int = 220, x_caption: str = "") -> Markup:
    """Step lines of (days before the event, cumulative count) on one pair of axes, days counting
    down to 0 on the right, so that editions of a series can be compared. A legend names the
    lines when there is more than one; the last line is drawn on top."""
    lines = [(name, points) for name, points in lines if points]
    if not lines:
        return Markup("")
    legend_h = 20 * len(lines) if len(lines) > 1 else 0
    left, right, top_pad, bottom = 48, 16, 12 + legend_h, 34
    height += legend_h
    every = [p for _, points in lines for p in points]
    max_days = max(max(d for d, _ in every), 1)
    top = max(c for _, c in every) or 1
    pw, ph = width - left - right, height - top_pad - bottom

    def xy(days, count):
        return left + pw * (max_days - days) / max_days, top_pad + ph * (1 - count / top)

    out = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{escape(label)}"'
           + (f' aria-describedby="{escape(table_id)}"' if table_id else "") + ' xmlns="http://www.w3.org/2000/svg">',
           f'<line x1="{left}" y1="{top_pad + ph}" x2="{left + pw}" y2="{top_pad + ph}" class="chart-axis"/>',
           f'<line x1="{left}" y1="{top_pad}" x2="{left}" y2="{top_pad + ph}" class="chart-axis"/>',
           f'<text x="{left - 6}" y="{top_pad + 4}" text-anchor="end" class="chart-label">{_fmt(top)}</text>',
           f'<text x="{left - 6}" y="{top_pad + ph}" text-anchor="end" class="chart-label">0</text>',
           f'<text x="{left}" y="{height - 14}" class="chart-label">{max_days}</text>',
           f'<text x="{left + pw}" y="{height - 14}" text-anchor="end" class="chart-label">0</text>',
           f'<text x="{left + pw / 2:.0f}" y="{height - 2}" text-anchor="middle" class="chart-label">'
           f'{escape(x_caption)}</text>']
    newest = len(lines) - 1
    for i, (name, points) in enumerate(lines):
        # The newest line (this event) in the first colour, the older editions in the others.
        colour = PALETTE[0] if i == newest else PALETTE[1 + i % (len(PALETTE) - 1)]
        dash = "" if i == newest else ' stroke-dasharray="6 3"'
        if legend_h:
            y = 6 + 20 * i
            out.append(f'<line x1="{left}" y1="{y + 6}" x2="{left + 24}" y2="{y + 6}" stroke="{colour}" '
                       f'stroke-width="2"{dash}/><text x="{left + 30}" y="{y + 10}" class="chart-legend">'
                       f'{escape(name)}</text>')
        path, prev = [], None
        for days, count in points:
            x, y = xy(days, count)
            if prev is None:
                path.append(f"M{x:.1f},{xy(days, 0)[1]:.1f} L{x:.1f},{y:.1f}")
            else:
                path.append(f"L{x:.1f},{prev:.1f} L{x:.1f},{y:.1f}")
            prev = y
        path.append(f"L{left + pw:.1f},{prev:.1f}")
        out.append(f'<g class="chart-line" data-series="{escape(name)}">'
                   f'<path d="{" ".join(path)}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
        for days, count in points:
            x, y = xy(days, count)
            title = f"{escape(name)} {days}: {_fmt(count)}" if name else f"{days}: {_fmt(count)}"
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}" data-value="{count}" '
                       f'data-days="{days}"><title>{title}</title></circle>')
        out.append("</g>")
    out.append("</svg>")
    return Markup("".join(out))


#: The six Tohoku prefectures as tiles laid out roughly as on the map (column, row).
TOHOKU_TILES = {"02": (1, 0), "05": (0, 1), "03": (1, 1), "06": (0, 2), "04": (1, 2), "07": (0.5, 3)}


def tohoku_tiles(counts: dict[str, int], names: dict[str, str], *, label: str, table_id: str = "",
                 other_label: str = "") -> Markup:
    """A choropleth of Tohoku as a tile map: each prefecture a tile shaded by its count.

    Counts outside Tohoku (and not given) are summed in one tile beside the map.
    """
    tile, gap = 96, 6
    top = max([counts.get(c, 0) for c in TOHOKU_TILES] + [1])
    width, height = 3 * (tile + gap) + 40, 4 * (tile + gap)
    out = [f'<svg class="chart chart-map" viewBox="0 0 {width} {height}" width="100%" role="img" '
           f'aria-label="{escape(label)}"' + (f' aria-describedby="{escape(table_id)}"' if table_id else "")
           + ' xmlns="http://www.w3.org/2000/svg">']

    def cell(x, y, text, value, shade):
        # At most 60 % blue: dark text keeps a contrast above 6:1 on every tile.
        fill = f"rgba(26,95,180,{0.06 + 0.54 * shade:.2f})"
        ink = "#111"
        return (f'<g class="chart-tile" data-label="{escape(text)}" data-value="{value}">'
                f'<title>{escape(text)}: {_fmt(value)}</title>'
                f'<rect x="{x}" y="{y}" width="{tile}" height="{tile}" rx="6" fill="{fill}" stroke="#5a6b7d"/>'
                f'<text x="{x + tile / 2}" y="{y + tile / 2 - 4}" text-anchor="middle" fill="{ink}" '
                f'class="chart-tile-name">{escape(text)}</text>'
                f'<text x="{x + tile / 2}" y="{y + tile / 2 + 18}" text-anchor="middle" fill="{ink}" '
                f'class="chart-tile-value">{_fmt(value)}</text></g>')

    for code, (col, row) in TOHOKU_TILES.items():
        value = counts.get(code, 0)
        out.append(cell(col * (tile + gap), row * (tile + gap), names.get(code, code), value, value / top))
    other = sum(v for c, v in counts.items() if c not in TOHOKU_TILES)
    if other_label:
        out.append(cell(2 * (tile + gap) + 30, 3 * (tile + gap), other_label, other, 0))
    out.append("</svg>")
    return Markup("".join(out))
