"""The annotated write-up in the HTML report and the feedback files: each step's mark on its
line, the diagnosis beside the first wrong step, and the student's text always escaped."""
from pathlib import Path

import pytest

from grader.batch.orchestrator import grade_folder
from grader.keys.catalog import Catalog
from grader.reports.annotated_writeup import line_notes, writeup_html
from grader.reports.feedback import feedback_markdown
from grader.reports.html import class_report_html

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ("assignment: softmax-ce, student: s9\n"
           "<script>alert(1)</script> and \u202egnp.exe\n"
           "$$\\frac{\\partial L}{\\partial w_{ij}^{(L-1)}} = \\delta_i^{(L)} z_j^{(L-1)} + b_i^{(L-1)}$$\n"
           "$$\\hat{y} - y = \\delta^{(L)} <img src=x onerror=alert(1)>$$\n"
           "$$| x | = ** [a](http://x) **$$\n")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class")
    (folder / "s9.md").write_text(HOSTILE, encoding="utf-8")
    return grade_folder(folder, catalog=Catalog(root=ROOT), time_limit=None)


def test_notes_mark_each_step_on_its_line(graded):
    r = next(iter(graded.students))
    notes = line_notes(r.writeup)
    assert [(n.status, "stray-bias" in n.text) for n in notes[3]][:1] == [("does not hold", True)]
    assert notes[3][-1].status == "answer"


def test_html_escapes_everything_the_student_wrote(graded):
    page = class_report_html(graded)
    assert "<script>alert" not in page and "<img src" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "\u202e" not in page and "\\u202e" in page
    assert 'class="fails"' in page and "stray-bias" in page


def test_feedback_markdown_is_inert(graded):
    r = next(iter(graded.students))
    md = feedback_markdown(r)
    section = md[md.index("## Your write-up, step by step"):]
    assert "<img" not in section and "&lt;img src=x onerror=alert(1)&gt;" in section
    assert "[a](http" not in section and "\\[a\\]" in section
    assert "| 3 |" in section and "✗ does not hold" in section


def test_writeup_html_rows_only_for_lines_with_text(graded):
    r = next(iter(graded.students))
    html = writeup_html(r.writeup)
    assert html.count("<tr>") == 1 + 5  # the header and the five lines


def test_chromium_renders_the_formulas_as_mathml(tmp_path):
    """Seed 000's annotated lines in headless Chromium: every formula we converted is a MathML
    element of the page's DOM (no script runs: there is none), and the page screenshots."""
    from tests.reports.test_html_report import CHROMIUM, _chromium
    from grader.batch.writeup_grading import grade_writeup
    from grader.reports.html import CSS

    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed: apt-get install chromium")
    folder = ROOT / "submissions"
    result = grade_writeup(folder / "writeups" / "seed000_softmax-ce.md", folder, Catalog(root=ROOT))
    table = writeup_html(result.writeup)
    page = tmp_path / "writeup.html"
    page.write_text(f"<!doctype html><html><head><meta charset=\"utf-8\"><style>{CSS}</style></head>"
                    f"<body>{table}</body></html>", encoding="utf-8")
    dom = _chromium(["--dump-dom", page.resolve().as_uri()], tmp_path).stdout
    converted = table.count("<math ")
    assert converted >= 15  # seed 000's display lines, but those the converter cannot read
    assert dom.count("<math ") == converted and dom.count("<mfrac") == table.count("<mfrac") > 0
    shot = tmp_path / "writeup.png"
    _chromium([f"--screenshot={shot}", "--window-size=1200,1900", page.resolve().as_uri()], tmp_path)
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


def test_numbers_note_every_question_they_answer():
    """Seed 004's updated w^{[3]} (line 157) answers both parts of Exercise 3: both are noted."""
    from grader.batch.writeup_grading import grade_writeup

    folder = ROOT / "submissions"
    result = grade_writeup(folder / "writeups" / "seed004_mlp-numeric.md", folder, Catalog(root=ROOT))
    answers = sorted(n.text.split(":")[0] for n in line_notes(result.writeup)[157] if n.status == "answer")
    assert answers == ["answers ex3a.W3_new", "answers ex3a.b3_new", "answers ex3b.W3_new", "answers ex3b.b3_new"]
