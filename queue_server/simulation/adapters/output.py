"""Reports for people (aligned text tables, minutes) and for programs (JSON, CSV)."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..clock import format_time
from ..planner import Advice
from ..report import Comparison, Report


def minutes(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds / 60:.0f}"


def _table(header: list[str], rows: Iterable[list[str]]) -> str:
    rows = [header] + [list(r) for r in rows]
    widths = [max(_width(r[i]) for r in rows) for i in range(len(header))]
    lines = []
    for row in rows:
        cells = [cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _width(text: str) -> int:
    """Columns on a terminal: CJK characters take two."""
    return sum(2 if "\u2e80" <= ch <= "\ufe4f" or "\uff00" <= ch <= "\uffef" else 1 for ch in text)


def render_report(rep: Report, *, hours: bool = False) -> str:
    lines = [
        f"{rep.plan} — {rep.date} ({rep.source}), windows {rep.opens}–{rep.closes}, "
        f"{rep.staffed_hours:.1f} window-hours, utilisation {rep.utilisation:.0%}",
        "waits in minutes, issue → first call 等候分钟",
        _table(
            ["queue 业务", "issued 取号", "refused 拒", "p50", "p90", "max", "unserved 未办", "left 离开"],
            (
                [
                    f"{q.queue} {q.name}",
                    str(q.issued),
                    str(q.refused),
                    minutes(q.waits.p50_s),
                    minutes(q.waits.p90_s),
                    minutes(q.waits.max_s),
                    str(q.unserved),
                    str(q.left),
                ]
                for q in (*rep.queues, rep.total)
            ),
        ),
    ]
    if hours:
        lines += [
            "",
            "by hour of issue 按取号时段",
            _table(
                ["queue", "hour", "issued", "p50", "p90", "max", "unserved", "waiting peak", "at end"],
                (
                    [h.queue, f"{h.hour:02d}:00", str(h.issued), minutes(h.waits.p50_s), minutes(h.waits.p90_s),
                     minutes(h.waits.max_s), str(h.unserved), str(h.waiting_peak), str(h.waiting_at_end)]
                    for h in rep.hours
                ),
            ),
        ]
    return "\n".join(lines)


def render_comparison(comparison: Comparison) -> str:
    reports = comparison.reports
    lines = [f"plan{i + 1}: {r.plan} ({r.staffed_hours:.1f} window-hours, utilisation {r.utilisation:.0%})"
             for i, r in enumerate(reports)]
    header = ["queue 业务"] + [f"plan{i + 1} p90" for i in range(len(reports))]
    header += [f"plan{i + 1} unserved" for i in range(len(reports))]
    rows = []
    for row in comparison.rows():
        cells = [f"{row['queue']} {row['name']}"]
        cells += [minutes(plan["p90_s"]) for plan in row["plans"]]
        cells += [str(plan["unserved"]) for plan in row["plans"]]
        rows.append(cells)
    lines += ["p90 waits in minutes 等候分钟（p90）", _table(header, rows)]
    return "\n".join(lines)


def render_advice(advice: Advice) -> str:
    target = advice.target_p90_s / 60
    lines = [f"target: every queue's p90 wait under {target:.0f} min, {advice.staff} staff available "
             f"(figures: {advice.before.source})"]
    if not advice.suggestions:
        lines.append("no move helps 没有可改进的调整" if not advice.met else "the plan meets the target 已达标")
    for number, suggestion in enumerate(advice.suggestions, start=1):
        lines.append(f"{number}. {suggestion.text_zh}")
        lines.append(f"   {suggestion.text_en}")
    verdict = "met 达标" if advice.met else "not met 未达标"
    lines.append(
        f"hall p90 {minutes(advice.before.total.waits.p90_s)} → {minutes(advice.after.total.waits.p90_s)} min, "
        f"unserved {advice.before.total.unserved} → {advice.after.total.unserved}; target {verdict}"
    )
    return "\n".join(lines)


def advice_document(advice: Advice) -> dict[str, Any]:
    return {
        "target_p90_s": advice.target_p90_s,
        "staff": advice.staff,
        "met": advice.met,
        "suggestions": [
            {
                "kind": s.kind,
                "window": s.window,
                "from": format_time(s.span.start),
                "to": format_time(s.span.end),
                "queues_before": list(s.queues_before),
                "queues_after": list(s.queues_after),
                "text_zh": s.text_zh,
                "text_en": s.text_en,
                "effects": [
                    {
                        "queue": e.queue,
                        "p90_before_s": e.p90_before_s,
                        "p90_after_s": e.p90_after_s,
                        "unserved_before": e.unserved_before,
                        "unserved_after": e.unserved_after,
                    }
                    for e in s.effects
                ],
            }
            for s in advice.suggestions
        ],
        "before": advice.before.document(),
        "after": advice.after.document(),
        "plan": advice.plan.to_document(),
    }


def write_json(target: str, document: Any) -> None:
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if target == "-":
        sys.stdout.write(text)
    else:
        Path(target).write_text(text, encoding="utf-8")


def hour_rows_csv(reports: Iterable[Report]) -> str:
    """One row per plan, queue and hour of issue."""
    out = io.StringIO()
    fields = ["plan", "queue", "hour", "issued", "called", "p50_s", "p90_s", "max_s", "mean_s", "unserved",
              "waiting_peak", "waiting_at_end"]
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for rep in reports:
        for hour in rep.hours:
            writer.writerow({"plan": rep.plan, **hour.document()})
    return out.getvalue()


def write_csv(target: str, reports: Iterable[Report]) -> None:
    text = hour_rows_csv(reports)
    if target == "-":
        sys.stdout.write(text)
    else:
        Path(target).write_text(text, encoding="utf-8-sig")  # with a BOM: Excel reads the Chinese
