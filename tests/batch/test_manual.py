"""Manual grading round trip: --review writes what a TA must read, --manual-scores merges the points."""
import pandas as pd
import pytest
from click.testing import CliRunner

from grader.cli import cli
from tests.conftest import SUBMISSIONS

SEEDS = SUBMISSIONS / "seeds"


def test_review_sheet_then_merge(tmp_path):
    review, book = tmp_path / "review.csv", tmp_path / "gb.csv"
    first = CliRunner().invoke(cli, [str(SEEDS), "--review", str(review), "--gradebook", str(book)])
    assert first.exit_code == 0
    sheet = pd.read_csv(review, dtype={"points": object, "comment": object})
    assert list(sheet.question) == ["task3.blowup"]
    assert "stored in memory" in sheet.answer[0]
    assert "stored in memory" in pd.read_csv(book)["task3.blowup answer"].dropna().iloc[0]  # carried to the gradebook
    sheet.loc[0, "points"], sheet.loc[0, "comment"] = 9, "right idea: reuse stored deltas"
    sheet.to_csv(review, index=False)
    merged = CliRunner().invoke(cli, [str(SEEDS), "--manual-scores", str(review), "--gradebook", str(book), "--details"])
    assert merged.exit_code == 0
    assert "task3.blowup (5/5)" not in merged.output  # full marks: not listed as lost
    row = pd.read_csv(book, dtype={"student_id": str}).set_index("student_id").loc["seed002"]
    assert row["task3.blowup"] == 5  # capped at the question's max
    assert "needs review" not in row["status"]


def test_bad_manual_scores_are_reported(tmp_path):
    bad = tmp_path / "scores.csv"
    bad.write_text("file,question,points\nseed002_backprop_general.yaml,task3.blowup,lots\n")
    result = CliRunner().invoke(cli, [str(SEEDS), "--manual-scores", str(bad), "--gradebook", str(tmp_path / "g.csv")])
    assert result.exit_code == 1
    assert "row 2, column points: 'lots' is not a number" in result.output


@pytest.mark.parametrize("points", ["nan", "NaN", "inf", "-inf", "1e400", "-1", "1,5", "1e0", "five", "0x10"])
def test_points_that_are_not_a_plain_number_are_refused_with_row_and_column(tmp_path, points):
    """pandas reads nan as NaN (was: left at 0, silently) and inf/1e400 as infinity (was: full marks)."""
    sheet = tmp_path / "scores.csv"
    sheet.write_text(f'file,question,points\nother.yaml,q,1\nseed002_backprop_general.yaml,task3.blowup,"{points}"\n')
    book = tmp_path / "g.csv"
    result = CliRunner().invoke(cli, [str(SEEDS), "--manual-scores", str(sheet), "--gradebook", str(book)])
    assert result.exit_code == 1
    assert f"row 3, column points: '{points}' is not a number of points" in result.output
    assert not book.exists()


@pytest.mark.parametrize("points, merged", [("2", 2.0), ("1.5", 1.5), (".5", 0.5), (" 3 ", 3.0), ("9", 5.0), ("", None)])
def test_plain_points_are_merged(tmp_path, points, merged):
    sheet = tmp_path / "scores.csv"
    sheet.write_text(f'file,question,points\nseed002_backprop_general.yaml,task3.blowup,"{points}"\n')
    book = tmp_path / "g.csv"
    result = CliRunner().invoke(cli, [str(SEEDS), "--manual-scores", str(sheet), "--gradebook", str(book)])
    assert result.exit_code == 0, result.output
    row = pd.read_csv(book, dtype={"student_id": str}).set_index("student_id").loc["seed002"]
    if merged is None:
        assert "needs review" in row["status"] or "review" in row["status"]
    else:
        assert row["task3.blowup"] == merged
