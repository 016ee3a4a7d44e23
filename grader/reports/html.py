"""The HTML class report: one self-contained page per run (charts, student table, rejected files).

No network and no JavaScript: inline CSS, inline SVG charts and ``<details>`` for each student's
breakdown, so the file opens from disk, prints, and can be mailed to a TA. It is written in pieces
as the results are read, one at a time (charts and counts come from the results' summaries, the
per-question chart and the details from one pass each), never held whole. Every string that a
student controls (names, ids, file names, feedback that echoes answers, flags) goes through
:func:`_e`; a Content-Security-Policy meta tag also forbids scripts and remote loads, so a slip
there could still neither run code nor phone home. The page is a pure function of the
ClassResult (sorted orders, no timestamps): rendering the same run twice gives the same bytes.
"""
from __future__ import annotations

import html
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from statistics import mean, median

from grader.errors import GraderError
from grader.results import ClassResult, StudentResult
from grader.io.outputs import write_atomic
from grader.reports.annotated_writeup import writeup_html
from grader.reports.terminal import report_order
from grader.result_store import Summary
from grader.shown_text import shown as visible, shown_lines

COLUMNS = ("id", "name", "points", "max", "percent", "status", "flags")
NUMERIC = {"points", "max", "percent"}
NUM = ' class="num"'
BINS = 10  # 0–10 %, …, 90–100 % (100 % falls in the last bin)
CSP = "default-src 'none'; style-src 'unsafe-inline'"  # no scripts, no fetches of any kind

CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       color: #1a1a1a; background: #fff; margin: 24px auto; max-width: 1180px; padding: 0 16px; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 19px; margin: 32px 0 4px;
     border-bottom: 2px solid #2b6cb0; padding-bottom: 2px; } h3 { font-size: 15px; margin: 16px 0 4px; }
.meta { color: #555; margin: 0 0 8px; }
.charts { display: flex; flex-wrap: wrap; gap: 16px 32px; align-items: flex-start; }
figure { margin: 8px 0; } figcaption { color: #555; font-size: 12px; }
svg.chart { max-width: 100%; height: auto; display: block; }
svg text { font: 11px system-ui, "DejaVu Sans", sans-serif; fill: #333; }
svg .axis { stroke: #333; stroke-width: 1; } svg .grid { stroke: #ddd; stroke-width: 1; }
svg .bar { fill: #2b6cb0; } svg .flagbar { fill: #c05621; } svg .frame { fill: none; stroke: #bbb; }
svg .count { font-weight: 600; } svg .empty { fill: #777; font-size: 13px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid #e2e2e2; vertical-align: top; }
thead th { background: #edf2f7; position: sticky; top: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.group th { background: #f7fafc; font-size: 15px; padding-top: 10px; }
tr.rejected td { background: #fff5f5; } tr.more td { border-bottom: 1px solid #cbd5e0; padding-top: 0; }
summary { cursor: pointer; color: #2b6cb0; font-size: 12px; }
table.questions { margin: 4px 0 8px; font-size: 12px; } table.questions td { padding: 1px 6px; }
.o-correct { color: #276749; } .o-wrong, .o-wrong-shape, .o-unreadable, .o-transposed { color: #c53030; }
table.writeup code { white-space: pre-wrap; word-break: break-word; } .holds { color: #276749; }
.fails { color: #c53030; font-weight: bold; } .unread { color: #975a16; } .unchecked, .answer { color: #555; }
.o-missing { color: #777; } table.questions td:nth-child(3) { white-space: nowrap; } .o-needs-review { color: #975a16; }
.flag { display: inline-block; background: #feebc8; border-radius: 3px; padding: 0 4px; margin: 0 2px; }
pre { white-space: pre-wrap; margin: 4px 0; } ul.rejected li { margin: 2px 0; }
@media print { body { margin: 0; max-width: none; } thead th { position: static; }
  figure, tr { break-inside: avoid; } h2 { break-after: avoid; } }
"""


def _e(value) -> str:
    """Text for the page: control, bidi and invisible characters made visible escapes
    (:func:`grader.shown_text.shown`), then HTML-escaped."""
    return html.escape(visible(value), quote=True)


def _pre(text) -> str:
    """A multi-line text of ours (an error with its caret line) for a ``<pre>``: its line
    breaks kept, every line as :func:`_e` shows it."""
    return "\n".join(html.escape(line, quote=True) for line in shown_lines(text))


def _slug(text: str) -> str:
    """An id-safe form of an assignment id (an unknown one is whatever the student typed)."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", text) or "_"


def _num(x: float) -> str:
    return f"{x:g}"


# --- SVG charts -------------------------------------------------------------------------------

def _svg(chart_id: str, label: str, width: float, height: float, body: list[str]) -> str:
    return (f'<svg id="{_e(chart_id)}" class="chart" role="img" aria-label="{_e(label)}" '
            f'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" '
            f'width="{width:g}" height="{height:g}"><title>{_e(label)}</title>{"".join(body)}</svg>')


def _count_ticks(top: int) -> list[int]:
    step = max(1, math.ceil(top / 4))
    return list(range(0, top + step, step))


def _y_axis(left: float, top: float, width: float, height: float, ticks, scale: float, fmt) -> list[str]:
    """Horizontal grid lines with their labels, then the two axes over them."""
    out = []
    for t in ticks:
        y = top + height - t * scale
        out.append(f'<line class="grid" x1="{left:g}" y1="{y:g}" x2="{left + width:g}" y2="{y:g}"/>'
                   f'<text x="{left - 5:g}" y="{y + 4:g}" text-anchor="end">{_e(fmt(t))}</text>')
    out.append(f'<line class="axis" x1="{left:g}" y1="{top:g}" x2="{left:g}" y2="{top + height:g}"/>'
               f'<line class="axis" x1="{left:g}" y1="{top + height:g}" x2="{left + width:g}" y2="{top + height:g}"/>')
    return out


def histogram_svg(assignment: str, rows: list[StudentResult]) -> str:
    """Score distribution over every row with a percent; a rejected file counts as its 0 %."""
    counts = [0] * BINS
    for r in rows:
        if r.percent is not None:
            counts[min(int(max(r.percent, 0.0) // (100 / BINS)), BINS - 1)] += 1
    left, top, bw, plot_h = 44, 20, 40, 160
    width, height = left + BINS * bw + 16, top + plot_h + 46
    ticks = _count_ticks(max(counts) or 1)
    scale = plot_h / ticks[-1]
    body = _y_axis(left, top, BINS * bw, plot_h, ticks, scale, str)
    for i, n in enumerate(counts):
        x, h = left + i * bw, n * scale
        lo, hi = i * 100 // BINS, (i + 1) * 100 // BINS
        body.append(f'<rect class="bar" x="{x + 3:g}" y="{top + plot_h - h:g}" width="{bw - 6:g}" height="{h:g}">'
                    f'<title>{lo}–{hi} %: {n} file{"s" if n != 1 else ""}</title></rect>'
                    f'<text class="count" x="{x + bw / 2:g}" y="{top + plot_h - h - 4:g}" text-anchor="middle">{n}</text>')
    for i in range(BINS + 1):
        body.append(f'<text x="{left + i * bw:g}" y="{top + plot_h + 15:g}" text-anchor="middle">{i * 100 // BINS}</text>')
    body.append(f'<text x="{left + BINS * bw / 2:g}" y="{height - 8:g}" text-anchor="middle">score (%)</text>'
                f'<text transform="translate(12 {top + plot_h / 2:g}) rotate(-90)" text-anchor="middle">files</text>')
    label = (f"Score histogram for {assignment}: " + ", ".join(
        f"{i * 100 // BINS}–{(i + 1) * 100 // BINS} %: {n}" for i, n in enumerate(counts)))
    return _svg(f"hist-{_slug(assignment)}", label, width, height, body)


def question_stats(result: ClassResult, assignment: str, graded: Iterable[StudentResult]) -> list[tuple]:
    """(question id, percent of the points, files) per question, in the assignment's own order;
    questions it does not list (a hand-made result, an assignment the catalog cannot find) follow
    in the order they were graded. One pass over ``graded``, adding up in file order."""
    try:
        order = list(result.catalog.assignment(assignment).question_ids)
    except GraderError:
        order = []
    known, sums = set(order), {}
    for r in graded:
        new = [q.question for q in r.questions if q.question not in known]
        order += new
        known.update(new)
        for q in r.questions:
            acc = sums.setdefault(q.question, [0, 0, 0])
            acc[0], acc[1], acc[2] = acc[0] + q.points, acc[1] + q.max_points, acc[2] + 1
    stats = []
    for qid in order:
        points, possible, files = sums.get(qid, (0, 0, 0))
        stats.append((qid, 100 * points / possible if possible else 0.0, files))
    return stats


def questions_svg(assignment: str, stats: list[tuple]) -> str:
    """Mean points / max points per question over the graded (not rejected) files, as a percent
    (``stats`` from :func:`question_stats`)."""
    n = max(len(stats), 1)
    bw = max(8.0, min(40.0, 960 / n))  # 100 questions still fit a page width
    labels = [q if len(q) <= 24 else q[:23] + "…" for q, _, _ in stats]
    left, top, plot_h = 44, 12, 150
    label_h = 6 * max((len(s) for s in labels), default=1) + 12
    width, height = left + n * bw + 16, top + plot_h + label_h + 18
    scale = plot_h / 100
    body = _y_axis(left, top, n * bw, plot_h, [0, 25, 50, 75, 100], scale, lambda t: f"{t}%")
    for i, ((qid, pct, k), shown) in enumerate(zip(stats, labels)):
        x, h = left + i * bw, pct * scale
        body.append(f'<rect class="bar" x="{x + 1:g}" y="{top + plot_h - h:.2f}" width="{bw - 2:g}" height="{h:.2f}">'
                    f'<title>{_e(qid)}: {pct:.1f} % of the points ({k} file{"s" if k != 1 else ""})</title></rect>'
                    f'<text transform="translate({x + bw / 2 + 3:g} {top + plot_h + 6:g}) rotate(-90)" '
                    f'text-anchor="end" font-size="{min(11, bw + 1):g}">{_e(shown)}</text>')
    if not stats:
        body.append(f'<text class="empty" x="{left + 8:g}" y="{top + plot_h / 2:g}">no graded answers</text>')
    body.append(f'<text transform="translate(12 {top + plot_h / 2:g}) rotate(-90)" text-anchor="middle">mean score</text>')
    label = f"Mean score per question for {assignment}: " + ", ".join(f"{q} {p:.0f}%" for q, p, _ in stats)
    return _svg(f"questions-{_slug(assignment)}", label, width, height, body)


def flag_counts(rows: list[StudentResult]) -> list[tuple[str, int]]:
    """(flag id, number of students flagged), most frequent first; ties by id for stable output."""
    counts = Counter(f for r in rows for f in r.flags)  # r.flags lists each flag once per student
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def flags_svg(assignment: str, rows: list[StudentResult]) -> str:
    items = flag_counts(rows)
    chart_id = f"flags-{_slug(assignment)}"
    if not items:  # the frame stays, so the page's layout does not depend on the data
        label = f"Misconceptions flagged in {assignment}: none"
        body = ['<rect class="frame" x="0.5" y="0.5" width="419" height="99"/>',
                '<text class="empty" x="210" y="55" text-anchor="middle">no misconceptions flagged</text>']
        return _svg(chart_id, label, 420, 100, body)
    labels = [f if len(f) <= 40 else f[:39] + "…" for f, _ in items]
    left = 6.5 * max(len(s) for s in labels) + 12
    bar_w, row_h, top = 240, 22, 8
    width, height = left + bar_w + 40, top + len(items) * row_h + 40
    ticks = _count_ticks(items[0][1])
    scale = bar_w / ticks[-1]
    body = []
    for t in ticks:
        x = left + t * scale
        body.append(f'<line class="grid" x1="{x:g}" y1="{top:g}" x2="{x:g}" y2="{top + len(items) * row_h:g}"/>'
                    f'<text x="{x:g}" y="{top + len(items) * row_h + 15:g}" text-anchor="middle">{t}</text>')
    for i, ((flag, n), shown) in enumerate(zip(items, labels)):
        y = top + i * row_h
        body.append(f'<text x="{left - 6:g}" y="{y + 15:g}" text-anchor="end">{_e(shown)}</text>'
                    f'<rect class="flagbar" x="{left:g}" y="{y + 3:g}" width="{n * scale:g}" height="{row_h - 6:g}">'
                    f'<title>{_e(flag)}: {n} student{"s" if n != 1 else ""}</title></rect>'
                    f'<text class="count" x="{left + n * scale + 4:g}" y="{y + 15:g}">{n}</text>')
    body.append(f'<line class="axis" x1="{left:g}" y1="{top:g}" x2="{left:g}" y2="{top + len(items) * row_h:g}"/>'
                f'<text x="{left + bar_w / 2:g}" y="{height - 6:g}" text-anchor="middle">students</text>')
    label = f"Misconceptions flagged in {assignment}: " + ", ".join(f"{f} {n}" for f, n in items)
    return _svg(chart_id, label, width, height, body)


# --- sections and the student table -------------------------------------------------------------

def _summary_line(rows: list[Summary]) -> str:
    percents = [r.percent for r in rows if r.percent is not None]
    rejected = sum(r.rejected for r in rows)
    parts = [f"{len(rows)} file{'s' if len(rows) != 1 else ''}", f"{rejected} rejected"]
    if percents:
        parts += [f"mean {mean(percents):.1f} %", f"median {median(percents):.1f} %"]
    return " · ".join(parts)


def _rejected_list(bad: list[StudentResult]) -> str:
    if not bad:
        return ""
    items = "".join(f"<li><b>{_e(r.student_id or 'no id')}</b> <code>{_e(r.file)}</code>: "
                    f"{_e(r.error.describe(caret=False))}</li>" for r in bad)
    return f'<h3>Rejected files ({len(bad)})</h3><ul class="rejected">{items}</ul>'


def _section(result: ClassResult, assignment: str, indices: list[int]) -> str:
    """One assignment's charts and rejected files; ``indices`` are its results, in report order."""
    store, summaries = result.students, result.students.summaries()
    rows = [summaries[i] for i in indices]
    rejected = _rejected_list([store[i] for i in indices if summaries[i].rejected])
    slug = _slug(assignment)
    if not assignment:  # files too broken to name an assignment: nothing to chart
        return (f'<section id="a-{slug}"><h2>Files with no assignment</h2>'
                f'<p class="meta">{_e(_summary_line(rows))}</p>{rejected}</section>')
    graded = [i for i in indices if summaries[i].graded]
    stats = question_stats(result, assignment, (store[i] for i in graded)) if graded else []
    try:
        heading = f"{assignment}: {result.catalog.assignment(assignment).title}" if graded else assignment
    except GraderError:
        heading = assignment
    return (f'<section id="a-{slug}"><h2>{_e(heading)}</h2><p class="meta">{_e(_summary_line(rows))}</p>'
            f'<div class="charts"><figure>{histogram_svg(assignment, rows)}'
            f'<figcaption>Scores of {len(rows)} file(s); a rejected file counts as 0 %.</figcaption></figure>'
            f'<figure>{flags_svg(assignment, rows)}'
            f'<figcaption>Students whose answers match each misconception.</figcaption></figure></div>'
            f'<figure>{questions_svg(assignment, stats)}'
            f'<figcaption>Mean points / max points per question over {len(graded)} graded file(s), '
            f'in the assignment\'s order.</figcaption></figure>{rejected}</section>')


def _flag_spans(flags) -> str:
    return "".join(f' <span class="flag">{_e(f)}</span>' for f in flags)


def _details(r: StudentResult) -> str:
    """The expandable per-question breakdown under a student's row."""
    lost = sum(q.points < q.max_points for q in r.questions)
    summary = "rejected file" if r.error is not None else f"{lost} of {len(r.questions)} questions lost points"
    inner = [f"<pre>{_pre(r.error.describe())}</pre>"] if r.error is not None else []
    if r.questions:
        body = "".join(
            f'<tr><td>{_e(q.question)}</td><td class="num">{_num(q.points)}/{_num(q.max_points)}</td>'
            f'<td class="o-{_slug(q.verdict.outcome).replace("_", "-")}">{_e(q.verdict.outcome)}</td>'
            f'<td>{_e(q.verdict.feedback)}{_flag_spans(q.verdict.flags)}</td></tr>'
            for q in r.questions)
        inner.append('<table class="questions"><thead><tr><th>question</th><th class="num">points</th>'
                     f'<th>outcome</th><th>feedback</th></tr></thead><tbody>{body}</tbody></table>')
    inner += [f'<p class="meta">note: {_e(n)}</p>' for n in r.notes]
    if r.writeup is not None:  # a write-up: its derivation, line by line
        inner.append(writeup_html(r.writeup))
    return (f'<tr class="more"><td colspan="{len(COLUMNS)}"><details><summary>{_e(summary)} — '
            f'<code>{_e(r.file)}</code></summary>{"".join(inner)}</details></td></tr>')


def _student_table(result: ClassResult, order: list[int]) -> Iterator[str]:
    """The table of every file, a group per assignment, in pieces: a row and its details each."""
    store, summaries = result.students, result.students.summaries()
    head = "".join(f'<th{NUM if c in NUMERIC else ""}>{c}</th>' for c in COLUMNS)
    yield f'<table id="students"><thead><tr>{head}</tr></thead>'
    group = None
    for i in order:  # report order: sorted by assignment first, so each group is one run of rows
        s = summaries[i]
        if s.assignment != group:
            yield ("</tbody>" if group is not None else "") + \
                f'<tbody><tr class="group"><th colspan="{len(COLUMNS)}">{_e(s.assignment or "no assignment")}</th></tr>'
            group = s.assignment
        cells = {"id": s.student_id or "?", "name": s.name, "points": _num(s.points),
                 "max": _num(s.max_points) if s.max_points else "",
                 "percent": f"{s.percent:.1f}" if s.percent is not None else "",
                 "status": s.status, "flags": " ".join(s.flags)}
        tds = "".join(f'<td{NUM if c in NUMERIC else ""}>{_e(cells[c])}</td>' for c in COLUMNS)
        yield f'<tr class="student{" rejected" if s.rejected else ""}">{tds}</tr>{_details(store[i])}'
    yield ("</tbody>" if group is not None else "") + "</table>"


def html_chunks(result: ClassResult, *, title: str | None = None) -> Iterator[str]:
    """The whole page in pieces: per assignment its charts and rejected files, then every
    student's row."""
    summaries, order = result.students.summaries(), report_order(result)
    title = title or f"Class report: {Path(result.folder).name or result.folder}"
    by_assignment: dict[str, list[int]] = {}
    for i in order:
        by_assignment.setdefault(summaries[i].assignment, []).append(i)
    assignments = sorted(by_assignment, key=lambda a: (a == "", a))  # unattributed last
    nav = "".join(f'<li><a href="#a-{_slug(a)}">{_e(a or "no assignment")}</a></li>' for a in assignments)
    yield ("<!DOCTYPE html>\n"
           f'<html lang="en"><head><meta charset="utf-8">'
           f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
           f'<meta name="viewport" content="width=device-width, initial-scale=1">'
           f"<title>{_e(title)}</title><style>{CSS}</style></head>\n<body>"
           f"<h1>{_e(title)}</h1><p class=\"meta\">Folder <code>{_e(result.folder)}</code> · "
           f"{len(order)} answer file(s) · {sum(1 for a in assignments if a)} assignment(s)</p>"
           f"<nav><ul>{nav}</ul></nav>\n")
    for a in assignments:
        yield _section(result, a, by_assignment[a])
    yield ('\n<section id="roster"><h2>Students</h2><p class="meta">One row per answer file; '
           "open a row's details for every question's points, outcome and feedback.</p>")
    yield from _student_table(result, order)
    yield "</section>\n</body></html>\n"


def class_report_html(result: ClassResult, *, title: str | None = None) -> str:
    """The whole page as one string (:func:`html_chunks` joined)."""
    return "".join(html_chunks(result, title=title))


def write_class_report(result: ClassResult, path: Path) -> None:
    write_atomic(Path(path), html_chunks(result))
