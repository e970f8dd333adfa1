"""The dashboard's progress chart, drawn on the server as SVG: cumulative deliverables delivered
per day, one line per phase, with each phase's deadline marked. No script: it prints and reads
without JavaScript. Colours are paired with dash patterns so the lines stay apart in black and
white."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .models import PhaseNumber

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 48, 150, 16, 36
STYLES = {1: ("#0b3d91", ""), 2: ("#1e7b34", "6 3"), 3: ("#8a5a00", "2 3"), 4: ("#b4232a", "10 3 2 3")}


def progress_svg(series: dict[int, list[tuple[dt.date, int]]], totals: dict[int, int], dues: dict[int, dt.datetime | None],
                 today: dt.date | None = None) -> str:
    today = today or timezone.localdate()
    days = [d for points in series.values() for d, _n in points]
    due_days = [timezone.localdate(d) for d in dues.values() if d]
    start = min(days + [today] + due_days) - dt.timedelta(days=1)
    end = max(days + [today] + due_days)
    span = max((end - start).days, 1)
    top = max([1, *totals.values()])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: dt.date) -> float:
        return LEFT + plot_w * (day - start).days / span

    def y(n: int) -> float:
        return TOP + plot_h * (1 - n / top)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="progress-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="chart-title"><title id="chart-title">{escape(_("Deliverables delivered over time, by phase"))}</title>',
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="#fff" stroke="#d9e2ec"/>',
    ]
    for fraction in (0, 0.25, 0.5, 0.75, 1):
        n = round(top * fraction)
        parts.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(n):.1f}" y2="{y(n):.1f}" stroke="#eef2f6"/>'
                     f'<text x="{LEFT - 6}" y="{y(n) + 4:.1f}" font-size="11" text-anchor="end" fill="#52606d">{n}</text>')
    for day in (start, start + (end - start) / 2, end):
        parts.append(f'<text x="{x(day):.1f}" y="{HEIGHT - BOTTOM + 16}" font-size="11" text-anchor="middle" '
                     f'fill="#52606d">{day.strftime("%m-%d")}</text>')
    parts.append(f'<line x1="{x(today):.1f}" x2="{x(today):.1f}" y1="{TOP}" y2="{TOP + plot_h}" stroke="#52606d" '
                 f'stroke-dasharray="1 3"/><text x="{x(today):.1f}" y="{TOP + 10}" font-size="10" text-anchor="middle" '
                 f'fill="#52606d">{escape(_("today"))}</text>')
    for number in PhaseNumber.values:
        colour, dash = STYLES[number]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        due = dues.get(number)
        if due:
            dx = x(timezone.localdate(due))
            parts.append(f'<line x1="{dx:.1f}" x2="{dx:.1f}" y1="{TOP}" y2="{TOP + plot_h}" stroke="{colour}" '
                         f'stroke-opacity=".45"{dash_attr}/>'
                         f'<text x="{dx + 2:.1f}" y="{TOP + plot_h - 4}" font-size="10" fill="{colour}">{number}</text>')
        points = [(start, 0)] + series.get(number, [])
        path = []
        previous = 0
        for day, n in points:
            path.append(f"{x(day):.1f},{y(previous):.1f} {x(day):.1f},{y(n):.1f}")
            previous = n
        path.append(f"{x(today):.1f},{y(previous):.1f}")
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash_attr} points="{" ".join(path)}"/>')
        ly = TOP + 14 + (number - 1) * 22
        label = _("Phase %(n)d: %(done)d of %(total)d") % {"n": number, "done": previous, "total": totals.get(number, 0)}
        parts.append(f'<line x1="{WIDTH - RIGHT + 10}" x2="{WIDTH - RIGHT + 34}" y1="{ly}" y2="{ly}" stroke="{colour}" '
                     f'stroke-width="2"{dash_attr}/><text x="{WIDTH - RIGHT + 38}" y="{ly + 4}" font-size="11" '
                     f'fill="#1f2933">{escape(label)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
