"""What ``grade FOLDER`` writes: the gradebook and the reports asked for, as one set.

:meth:`RunOutputs.check` registers every output path of the run with an
:class:`~grader.io.outputs.OutputSet` before any grading (a folder that is missing or read-only,
a path that is a folder, a report inside the graded folder: an OutputError in seconds, not
after the work); :meth:`RunOutputs.write` writes them all and puts them in place together, so
a failure half-way (a full disk) leaves the previous gradebook and reports as they were.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.io.outputs import OutputSet
from grader.results import ClassResult


@dataclass(frozen=True)
class RunOutputs:
    gradebook: Path
    fmt: str = "csv"  # csv, canvas or moodle (grader.reports.gradebooks)
    wide: bool = False
    json: Path | None = None
    html: Path | None = None
    review: Path | None = None
    feedback: Path | None = None  # a folder

    def check(self, graded: Path) -> OutputSet:
        """Every output checked, its temp file reserved (raises OutputError)."""
        outputs = OutputSet(graded=graded)
        try:
            for path in (self.gradebook, self.json, self.html, self.review):
                if path is not None:
                    outputs.file(path)
            if self.feedback is not None:
                outputs.folder(self.feedback)
        except BaseException:
            outputs.discard()
            raise
        return outputs

    def write(self, result: ClassResult, outputs: OutputSet, *, identity=None) -> list[str]:
        """Write every output into ``outputs`` and commit; returns what was written, in words.
        ``identity`` (grader.batch.folder_identity) decides whose LMS row each file fills."""
        from grader.reports.gradebooks import gradebook_chunks

        outputs.write(self.gradebook, gradebook_chunks(result, fmt=self.fmt, wide=self.wide, identity=identity))
        written = [f"gradebook written to {self.gradebook}"]
        if self.feedback:
            from grader.reports.feedback import write_feedback
            count = len(write_feedback(result, self.feedback, outputs=outputs))
            written.append(f"{count} feedback file(s) to {self.feedback}")
        if self.json:
            from grader.reports.terminal import json_chunks
            outputs.write(self.json, json_chunks(result))
            written.append(f"JSON report to {self.json}")
        if self.html:
            from grader.reports.html import html_chunks
            outputs.write(self.html, html_chunks(result))
            written.append(f"HTML report to {self.html}")
        if self.review:
            written.append(f"{_write_review(result, self.review, outputs)} answer(s) to review in {self.review}")
        outputs.commit()
        return written


def _write_review(result: ClassResult, path: Path, outputs: OutputSet) -> int:
    """The TA's review sheet (pandas: loaded only when one is asked for); returns its rows."""
    from grader.batch.manual_scores import review_frame
    from grader.reports.terminal import neutralise_formulas

    store, summaries = result.students, result.students.summaries()
    texts = {(r.file, q): t for r in (store[i] for i, s in enumerate(summaries) if s.review_ids)
             for q, t in r.review_text}
    sheet = review_frame((store[i] for i, s in enumerate(summaries) if s.awaiting), texts)
    outputs.write(path, neutralise_formulas(sheet).to_csv(index=False, lineterminator="\n"))
    return len(sheet)
