"""Gradebook layouts: our CSV, and the CSVs Canvas and Moodle import."""
from __future__ import annotations

from grader.pipeline import ClassResult
from grader.report import gradebook_frame, neutralise_formulas


def gradebook_text(result: ClassResult, *, fmt: str = "csv", wide: bool = False) -> str:
    """The gradebook file's text in layout ``fmt`` (csv, canvas, moodle)."""
    if fmt != "csv" or wide:
        raise NotImplementedError("TODO(lms): canvas, moodle and --wide layouts")
    return neutralise_formulas(gradebook_frame(result)).to_csv(index=False, lineterminator="\n")
