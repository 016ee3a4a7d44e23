r"""Per-student feedback: one Markdown file per answer file (``grade FOLDER --feedback DIR``).

Each file gives the score and status, a table of every question's points, verdict and flags,
then for each answer that lost points the feedback (and the misconception it matches); when the
assignment's rubric says ``reveal_solution: true``, also the step of the worked solution
(:mod:`grader.keys.worked_solution`) that answers that question, as a LaTeX display equation.

File names come from the student id and the assignment id only (:func:`feedback_names`):
``<student_id>-<assignment>.md`` for an id that is a safe file name as it is and unique even
ignoring case; any other id adds a digest of the exact id (``s1004-066e66d5-mlp-numeric.md``
for ``_s1004``), so no student's file can take another student's name; a student's second file
gets ``-2``. The names never depend on the order files were found in.

Every piece of text that comes from a student (name, id, file name, and the feedback, which may
quote an answer) is escaped for Markdown and HTML: ``<script>`` arrives as ``&lt;script&gt;``
and ``[x](javascript:…)`` as ``\[x\](javascript:…)``, text, never markup (no link without its
``[…]``).
"""
from __future__ import annotations

import re
from pathlib import Path

from grader.reports.annotated_writeup import writeup_markdown
from grader.results import MISSING, REVIEW, ClassResult, QuestionResult, StudentResult
from grader.errors import GraderError
from grader.io.outputs import OutputSet
from grader.shown_text import shown

_MARKDOWN = re.compile(r"([\\`*_\[\]|~$])")  # anywhere in a line
_LINE_START = re.compile(r"^(?:([#+=-])|(\d+)(?=[.)](?:\s|$)))")  # only at a line's start: headings, lists
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_STEP_TAG = re.compile(r"^(?P<step>.*?)\s*\*\(question (?P<ids>[^)]*)\)\*\s*$")
MAX_NAME = 64


def md_escape(text) -> str:
    """``text`` as inert inline Markdown: one line, Markdown punctuation backslash-escaped,
    ``& < >`` as HTML entities (so no tag, link, image, code span or math survives)."""
    one_line = shown(" ".join(str(text).split()))  # and no control, bidi or invisible character
    escaped = _LINE_START.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\",
                              _MARKDOWN.sub(r"\\\1", one_line))
    return "".join(_HTML.get(c, c) for c in escaped)


def safe_name(text: str) -> str:
    """A file-name part from untrusted text: runs of anything but ``[A-Za-z0-9._-]`` become
    ``_``, leading and trailing dots, dashes and underscores go (no ``..``, no hidden file)."""
    return _UNSAFE_NAME.sub("_", text).strip("._-")[:MAX_NAME].strip("._-")


def feedback_names(rows) -> dict[str, str]:
    """Answer file (as shown) → feedback file name, distinct even on a case-insensitive disk,
    and never one student's name taken by another student's file. ``rows``: results or their
    summaries (only ids, assignment, maximum and file are read).

    A student id that is a file name as it is (``[A-Za-z0-9._-]``, not starting with ``.``,
    ``-`` or ``_``) and is the only id of the run in its case-folded form gets
    ``<id>-<assignment>.md``; these plain names are given first, so no other id can take one.
    Any other id (``_s1004``, ``s 1004``, ``Ab`` beside ``ab``) gets its safe form and 8 hex
    digits of SHA-256 of the exact id, ``s1004-3f2a9c1e-<assignment>.md``; a file naming no
    student gets ``no-id-<file>-<assignment>.md``. Only then does a student's second file for
    an assignment get ``-2``, ``-3``, … (in path order); any name still taken is numbered on."""
    import hashlib

    rows = sorted(rows, key=lambda r: (r.student_id, r.assignment, r.file))
    folded: dict[str, set] = {}
    for r in rows:
        folded.setdefault(r.student_id.lower(), set()).add(r.student_id)

    def plain(r) -> bool:
        return bool(r.student_id) and safe_name(r.student_id) == r.student_id and \
            len(folded[r.student_id.lower()]) == 1 and bool(r.max_points)

    def base(r) -> str:
        assignment = safe_name(r.assignment) or "unknown"
        if plain(r):
            return f"{r.student_id}-{assignment}"
        if r.student_id:
            digest = hashlib.sha256(r.student_id.encode("utf-8", "surrogatepass")).hexdigest()[:8]
            return f"{safe_name(r.student_id) or 'id'}-{digest}-{assignment}"
        return "no-id-" + (safe_name(Path(r.file).with_suffix("").as_posix()) or "file") + f"-{assignment}"

    firsts, seconds, seen = [], [], set()
    for r in rows:
        key = (r.student_id, r.assignment) if r.student_id else ("", r.file)
        (seconds if key in seen else firsts).append(r)
        seen.add(key)
    order = ([r for r in firsts if plain(r)] + [r for r in firsts if r.student_id and not plain(r)]
             + [r for r in firsts if not r.student_id] + seconds)
    names, taken = {}, set()
    for r in order:
        stem = base(r)
        name, n = stem, 1
        while name.lower() in taken:
            n += 1
            name = f"{stem}-{n}"
        taken.add(name.lower())
        names[r.file] = name + ".md"
    return names


def solution_steps(result: ClassResult, assignment_id: str) -> dict[str, str]:
    """Question id → the worked-solution step answering it, when the assignment's rubric allows
    revealing it (``reveal_solution: true``); empty otherwise, or when there is no worked
    solution to show (the symbolic assignments have none yet)."""
    from grader.keys.worked_solution import worked_solution

    catalog = result.catalog
    try:
        assignment = catalog.assignment(assignment_id)
        if not catalog.rubric(assignment).reveal_solution:
            return {}
        text = worked_solution(catalog.key(assignment))
    except (GraderError, KeyError):
        return {}
    steps: dict[str, str] = {}
    for line in text.splitlines():
        found = _STEP_TAG.match(line)
        if found:
            for qid in found.group("ids").split(", "):
                steps.setdefault(qid.strip(), found.group("step").strip())
    return steps


def _points(x: float) -> str:
    return f"{x:g}"


def _lost(q: QuestionResult) -> bool:
    """An answer that was given and earned less than its maximum (missing ones are listed apart)."""
    return q.verdict.outcome not in (MISSING, REVIEW) and not q.full_marks


def feedback_markdown(r: StudentResult, *, steps: dict[str, str] | None = None) -> str:
    """One answer file's feedback as Markdown; ``steps`` (question id → worked step) are shown
    under the answers that lost points."""
    steps = steps or {}
    who = md_escape(r.name) + (f" ({md_escape(r.student_id)})" if r.student_id else "") if r.name \
        else md_escape(r.student_id or "unknown student")
    out = [f"# Feedback: {md_escape(r.assignment or 'unknown assignment')}", "",
           f"- Student: {who}", f"- File: {md_escape(r.file)}"]
    if r.max_points:
        out.append(f"- Score: {_points(r.points)} / {_points(r.max_points)} ({r.percent:.1f} %)")
    out.append(f"- Status: {'rejected' if r.error is not None else md_escape(r.status)}")
    if r.error is not None:
        out += ["", "## Your file could not be graded", "",
                f"Fix this and send it again: {md_escape(r.error.describe(caret=False))}"]
    if r.questions:
        out += ["", "## Points per question", "", "| question | points | verdict | flags |", "|---|---:|---|---|"]
        for q in r.questions:
            out.append(f"| {md_escape(q.question)} | {_points(q.points)} / {_points(q.max_points)} | "
                       f"{md_escape(q.verdict.outcome)} | {md_escape(' '.join(q.verdict.flags))} |")
    lost = [q for q in r.questions if _lost(q)]
    if lost:
        out += ["", "## Answers that lost points"]
        for q in lost:
            out += ["", f"### {md_escape(q.question)}: {_points(q.points)} / {_points(q.max_points)}, "
                        f"{md_escape(q.verdict.outcome)}", ""]
            if q.verdict.flags:
                out.append(f"- Flags: {', '.join(md_escape(f) for f in q.verdict.flags)}")
            out.append(f"- Feedback: {md_escape(q.verdict.feedback or q.verdict.outcome)}")
            if q.question in steps:
                out += ["- Worked solution:", "", steps[q.question]]
    review = [q for q in r.questions if q.verdict.outcome == REVIEW]
    if review:
        out += ["", "## Waiting for a TA", ""] + [f"- {md_escape(q.question)} ({_points(q.max_points)} points): "
                                                  "a TA grades this answer by hand" for q in review]
    missing = [q.question for q in r.questions if q.verdict.outcome == MISSING]
    if missing:
        out += ["", f"## Not answered ({len(missing)})", "", ", ".join(md_escape(m) for m in missing)]
    if r.notes:
        out += ["", "## Notes", ""] + [f"- {md_escape(n)}" for n in r.notes]
    if r.writeup is not None:  # a write-up: its derivation, line by line
        out += writeup_markdown(r.writeup, md_escape)
    return "\n".join(out) + "\n"


def write_feedback(result: ClassResult, out_dir: Path, *, outputs: OutputSet | None = None) -> list[Path]:
    """Write one feedback file per answer file into ``out_dir`` (created if needed); returns
    their paths in name order. Files already there with other names are left alone. Names and
    steps come from the results' summaries; each result is read (unpacked) only to write its
    own file. ``outputs``: the run's :class:`OutputSet`, ``out_dir`` registered with it (the
    files are renamed into place with the run's other outputs, at its commit); without one,
    all the files are written and then put in place together here."""
    out_dir = Path(out_dir)
    if outputs is None:
        with OutputSet() as outputs:
            outputs.folder(out_dir)
            written = write_feedback(result, out_dir, outputs=outputs)
            outputs.commit()
        return written
    summaries = result.students.summaries()
    names = feedback_names(summaries)
    steps = {a: solution_steps(result, a) for a in sorted({s.assignment for s in summaries if s.graded})}
    written = []
    for r in result.students:
        path = out_dir / names[r.file]
        outputs.write(path, feedback_markdown(r, steps=steps.get(r.assignment, {})))
        written.append(path)
    return sorted(written)
