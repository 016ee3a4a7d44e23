"""A write-up annotated line by line, for the HTML report and the feedback files: each line as
the student wrote it, each step on it marked holds / does not hold / not read (with the
reason), the diagnosis beside the first wrong step of each chain, and which question a line
answers. Everything the student wrote is shown escaped (:func:`grader.shown_text.shown`, then
HTML- or Markdown-escaped); nothing of it is rendered as markup but its formulas, as MathML
rebuilt from an allow-list (:mod:`grader.reports.mathml`)."""
from __future__ import annotations

import html
from dataclasses import dataclass

from grader.judge.derivation.steps import FAILS, HOLDS, NOT_CHECKED, NOT_READ
from grader.judge.derivation.writeup import JudgedWriteup
from grader.reports.mathml import line_html
from grader.shown_text import shown

#: status → (mark, CSS class)
MARKS = {HOLDS: ("✓ holds", "holds"), FAILS: ("✗ does not hold", "fails"),
         NOT_READ: ("? not read", "unread"), NOT_CHECKED: ("· not checked", "unchecked")}


@dataclass(frozen=True)
class Note:
    """One remark on a line: a step's outcome (``status`` a key of :data:`MARKS`) or an answer."""

    status: str
    text: str


def line_notes(judged: JudgedWriteup) -> dict[int, list[Note]]:
    """line number → what is said about it, in the order of the write-up."""
    notes: dict[int, list[Note]] = {}
    for chain in judged.chains:
        first_wrong = chain.first_wrong
        for step in chain.steps:
            said = f"{step.left.text} = {step.right.text}"
            if step is first_wrong:
                said += f": {step.reason}" + (f" [{', '.join(step.flags)}]" if step.flags else "")
            elif step.status in (NOT_READ, NOT_CHECKED):
                said += f": {step.reason}"
            elif step.after_wrong:
                said += " (after a wrong step)"
            notes.setdefault(step.right.line, []).append(Note(step.status, said))
        # every question its last term answers (numbers may answer two parts of an exercise)
        for qid, term in judged.answers.items():
            if any(term is t for t in chain.chain.terms):
                notes.setdefault(term.line, []).append(Note("answer", f"answers {qid}: {term.text}"))
    for n in judged.writeup.not_read:
        notes.setdefault(n.line, []).append(Note(NOT_READ, n.reason))
    return notes


def writeup_html(judged: JudgedWriteup) -> str:
    """The annotated write-up as an HTML table, each line with its formulas rendered as MathML
    (:func:`grader.reports.mathml.line_html`: escaped source where a formula is not converted)."""
    notes = line_notes(judged)
    rows = []
    for number, text in enumerate(judged.writeup.lines, start=1):
        if not text.strip() and number not in notes:
            continue
        marks = "".join(f'<div class="{MARKS.get(n.status, ("", "answer"))[1]}">'
                        f'{html.escape(MARKS.get(n.status, ("→",))[0])} {_h(n.text)}</div>' for n in notes.get(number, ()))
        rows.append(f'<tr><td class="num">{number}</td><td>{line_html(text)}</td><td>{marks}</td></tr>')
    return ('<table class="writeup"><thead><tr><th class="num">line</th><th>write-up</th><th>steps</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def writeup_markdown(judged: JudgedWriteup, md_escape) -> list[str]:
    """The annotated write-up as Markdown lines (``md_escape`` makes the student's text inert)."""
    notes = line_notes(judged)
    out = ["", "## Your write-up, step by step", "", "| line | you wrote | steps |", "|---:|---|---|"]
    for number, text in enumerate(judged.writeup.lines, start=1):
        if number not in notes:
            continue
        said = "<br>".join(f"{MARKS.get(n.status, ('→',))[0]} {md_escape(n.text)}" for n in notes[number])
        out.append(f"| {number} | {md_escape(text)} | {said} |")
    return out


def _h(text) -> str:
    return html.escape(shown(text), quote=True)
