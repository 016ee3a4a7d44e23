"""A "show that" graded on the chain (grader/batch/writeup_grading.py): all or nothing by default,
the share of the read steps that hold with the rubric's ``show_that: {per_step: true}``."""
import shutil
from pathlib import Path

import pytest

from grader.batch.writeup_grading import grade_writeup
from grader.course.rubric import load_rubric
from grader.errors import ConfigError
from grader.keys.catalog import Catalog

ROOT = Path(__file__).resolve().parents[2]
TASK = "assignment: softmax-ce, student: s1\n\n- **Task 1** Show that\n$$\\delta^{(L)} = \\hat{y} - y$$\nfor softmax.\n\n"
# chain → (steps that hold, steps that do not), its line
CHAINS = {
    # reaches the result, the middle step right, the first and last wrong
    "reached": ("$$\\delta^{(L)} = 2(\\hat{y} - y) = 2\\hat{y} - 2y = \\hat{y} - y$$", 1, 3),
    # a right first step, then a wrong end: the result is not reached
    "not_reached": ("$$\\delta^{(L)} = \\hat{y} - y = \\hat{y} + y$$", 1, 2),
    "all_right": ("$$\\delta^{(L)} = \\hat{y} - y$$", 1, 1),
}
# (chain, per_step) → points of 4
POINTS = {("reached", False): 0.0, ("reached", True): round(4 / 3, 6),
          ("not_reached", False): 0.0, ("not_reached", True): 2.0,
          ("all_right", False): 4.0, ("all_right", True): 4.0}


def course(tmp_path: Path, per_step: bool | None) -> Catalog:
    (tmp_path / "reference").mkdir()
    (tmp_path / "rubrics").mkdir()
    shutil.copy(ROOT / "reference" / "softmax-ce.yaml", tmp_path / "reference")
    setting = "" if per_step is None else f", show_that: {{per_step: {str(per_step).lower()}}}"
    (tmp_path / "rubrics" / "softmax-ce.yaml").write_text(
        "assignment: softmax-ce\ndefaults: {points: 2}\nquestions:\n"
        f"  task1.delta_L: {{points: 4{setting}}}\n", encoding="utf-8")
    return Catalog(root=tmp_path)


@pytest.mark.parametrize("chain, per_step", sorted(POINTS))
def test_show_that_points(tmp_path, chain, per_step):
    catalog = course(tmp_path, per_step)
    path = tmp_path / "w.md"
    path.write_text(TASK + CHAINS[chain][0] + "\n", encoding="utf-8")
    q = next(q for q in grade_writeup(path, tmp_path, catalog).questions if q.question == "task1.delta_L")
    assert q.points == POINTS[(chain, per_step)]
    if chain == "reached" or (chain == "not_reached" and per_step):  # else: the answer's own verdict
        assert "the step at line 7 does not hold" in q.verdict.feedback
        holds, steps = CHAINS[chain][1:]
        assert (f"{holds} of {steps} steps hold" in q.verdict.feedback) == per_step


def test_the_default_is_all_or_nothing(tmp_path):
    catalog = course(tmp_path, None)
    assert catalog.rubric(catalog.assignment("softmax-ce"))["task1.delta_L"].show_that_per_step is False


def test_a_per_step_that_is_no_boolean_is_a_configuration_error(tmp_path):
    catalog = course(tmp_path, None)
    bad = tmp_path / "bad.yaml"
    bad.write_text("assignment: softmax-ce\nquestions:\n  task1.delta_L: {show_that: {per_step: maybe}}\n")
    with pytest.raises(ConfigError):
        load_rubric(bad, catalog.assignment("softmax-ce"))
