"""The denial report: denial rates by payer, CARC, code and provider over time, as one offline HTML page.

Charts are inline SVG drawn here (no scripts, no network), each followed by its numbers in a table. The
same summary feeds `rcm denials report` as text.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

__all__ = ["DenialFact", "build_summary", "facts_from_history", "facts_from_store", "render_html", "render_text"]

CARC_WORDS: dict[str, str] = {
    "4": "procedure code inconsistent with the modifier",
    "11": "diagnosis inconsistent with the procedure",
    "16": "missing information or billing error",
    "18": "exact duplicate claim or service",
    "27": "expenses after coverage terminated",
    "29": "time limit for filing expired",
    "50": "not medically necessary",
    "96": "non-covered charge",
    "97": "included in another service (bundled)",
    "119": "benefit maximum for the period reached",
    "151": "frequency of services not supported",
    "197": "precertification/authorization absent",
}

_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#17becf")


@dataclass(frozen=True, slots=True)
class DenialFact:
    """One adjudicated claim, reduced to what the report counts (no patient data)."""

    claim_id: str
    month: str  # adjudication month YYYY-MM
    payer_id: str
    provider: str  # rendering NPI
    codes: tuple[str, ...]
    denied_codes: tuple[str, ...]
    carcs: tuple[str, ...]
    denied: bool


def facts_from_history(history: Any) -> list[DenialFact]:
    """From an rcm.payer_sim SynthHistory."""
    claims = {c.claim_id: c for c in history.claims}
    out: list[DenialFact] = []
    for claim_id, adj in history.adjudications.items():
        claim = claims.get(claim_id)
        rendering = claim.encounter.rendering_provider if claim else None
        out.append(
            DenialFact(
                claim_id=claim_id,
                month=f"{adj.adjudicated_on:%Y-%m}",
                payer_id=adj.payer_id,
                provider=rendering.npi if rendering else "unknown",
                codes=tuple(ln.code for ln in adj.lines),
                denied_codes=tuple(ln.code for ln in adj.lines if ln.denied),
                carcs=tuple(adj.carcs),
                denied=adj.denied,
            )
        )
    return out


def facts_from_store(session: Any) -> list[DenialFact]:
    """From the posted remittances in the store (first adjudication of each claim; ``load_denial_facts``)."""
    from rcm.denials.store_source import load_denial_facts

    return load_denial_facts(session)


def _rate_table(facts: Iterable[DenialFact], key: str, months: list[str]) -> dict[str, dict[str, tuple[int, int]]]:
    table: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for f in facts:
        cell = table[getattr(f, key)][f.month]
        cell[0] += 1
        cell[1] += int(f.denied)
    return {k: {m: (v[m][0], v[m][1]) for m in months if m in v} for k, v in table.items()}


def build_summary(facts: Sequence[DenialFact]) -> dict[str, Any]:
    """Every figure the report shows."""
    months = sorted({f.month for f in facts})
    denied = [f for f in facts if f.denied]
    carcs = Counter(c for f in denied for c in f.carcs)
    code_lines: Counter[str] = Counter(c for f in facts for c in f.codes)
    code_denied: Counter[str] = Counter(c for f in facts for c in f.denied_codes)
    codes = sorted(code_denied, key=lambda c: (-code_denied[c], c))[:15]
    return {
        "claims": len(facts),
        "denied": len(denied),
        "denial_rate": len(denied) / len(facts) if facts else 0.0,
        "months": months,
        "by_payer": _rate_table(facts, "payer_id", months),
        "by_provider": _rate_table(facts, "provider", months),
        "by_carc": [(c, n, CARC_WORDS.get(c, "")) for c, n in carcs.most_common(15)],
        "carc_by_month": {
            c: dict(Counter(f.month for f in denied if c in f.carcs)) for c, _ in carcs.most_common(15)
        },
        "by_code": [(c, code_denied[c], code_lines[c], code_denied[c] / code_lines[c]) for c in codes],
    }


def _line_chart(series: dict[str, dict[str, tuple[int, int]]], months: list[str], title: str) -> Markup:
    width, height, left, bottom, top = 640, 260, 48, 40, 24
    plot_w, plot_h = width - left - 150, height - bottom - top
    rates = {k: {m: (d / n if n else 0.0) for m, (n, d) in v.items()} for k, v in series.items()}
    peak = max([r for v in rates.values() for r in v.values()] + [0.05])
    step = plot_w / max(1, len(months) - 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for i in range(5):
        y = top + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#ddd"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end">'
                     f'{peak * i / 4 * 100:.0f}%</text>')
    for i, m in enumerate(months):
        parts.append(f'<text x="{left + i * step:.1f}" y="{height - bottom + 16}" font-size="10" '
                     f'text-anchor="middle">{escape(m)}</text>')
    for n, (name, values) in enumerate(sorted(rates.items())):
        colour = _COLOURS[n % len(_COLOURS)]
        points = " ".join(f"{left + months.index(m) * step:.1f},{top + plot_h - plot_h * r / peak:.1f}"
                          for m, r in sorted(values.items()))
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>')
        parts.append(f'<text x="{left + plot_w + 10}" y="{top + 14 * n + 10}" font-size="11" fill="{colour}">'
                     f'{escape(name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _bar_chart(bars: list[tuple[str, float]], title: str, *, percent: bool) -> Markup:
    width, bar_h, left = 640, 18, 70
    height = 20 + bar_h * len(bars) + 10
    peak = max([v for _, v in bars] + [1e-9])
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for i, (label, value) in enumerate(bars):
        y = 10 + i * bar_h
        w = (width - left - 80) * value / peak
        shown = f"{value * 100:.1f}%" if percent else f"{value:.0f}"
        parts.append(f'<text x="{left - 6}" y="{y + 13}" font-size="11" text-anchor="end">{escape(label)}</text>'
                     f'<rect x="{left}" y="{y + 2}" width="{w:.1f}" height="{bar_h - 4}" fill="#1f77b4"/>'
                     f'<text x="{left + w + 4:.1f}" y="{y + 13}" font-size="11">{shown}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def render_html(summary: dict[str, Any], *, model_card: dict[str, Any] | None = None,
                generated_on: date | None = None) -> str:
    """The report page (Jinja2 template rcm/denials/templates/report.html.j2)."""
    env = Environment(loader=PackageLoader("rcm.denials", "templates"), autoescape=select_autoescape(["html", "j2"]))
    months = summary["months"]
    charts = {
        "payer": _line_chart(summary["by_payer"], months, "Denial rate by payer and month"),
        "provider": _line_chart(summary["by_provider"], months, "Denial rate by rendering provider and month"),
        "carc": _bar_chart([(c, float(n)) for c, n, _ in summary["by_carc"]], "Denied claims by CARC",
                           percent=False),
        "code": _bar_chart([(c, rate) for c, _, _, rate in summary["by_code"]], "Denial rate by procedure code",
                           percent=True),
    }
    return env.get_template("report.html.j2").render(
        s=summary, charts=charts, card=model_card, generated_on=generated_on or date.today()
    )


def render_text(summary: dict[str, Any]) -> str:
    lines = [f"claims adjudicated: {summary['claims']}, denied: {summary['denied']} "
             f"({summary['denial_rate'] * 100:.1f} %)", "", "denial rate by payer:"]
    for payer, months in sorted(summary["by_payer"].items()):
        total = sum(n for n, _ in months.values())
        den = sum(d for _, d in months.values())
        lines.append(f"  {payer:8} {den:5}/{total:<6} {den / total * 100 if total else 0:5.1f} %")
    lines.append("")
    lines.append("denials by CARC:")
    for carc, n, words in summary["by_carc"]:
        lines.append(f"  {carc:>5} {n:6}  {words}")
    lines.append("")
    lines.append("denial rate by code (most denied first):")
    for code, den, total, rate in summary["by_code"]:
        lines.append(f"  {code} {den:5}/{total:<6} {rate * 100:5.1f} %")
    return "\n".join(lines) + "\n"
