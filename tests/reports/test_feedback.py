"""Per-student Markdown feedback: safe, deterministic file names; each question's points, verdict,
flags and feedback; the worked step when the rubric reveals it; escaping; stable bytes."""
import re
from dataclasses import replace

import pytest

from grader.keys.catalog import Catalog
from grader.results import CORRECT, WRONG, ClassResult, QuestionResult, StudentResult, Verdict
from grader.errors import ConfigError, SubmissionError
from grader.reports.feedback import feedback_markdown, feedback_names, md_escape, safe_name, write_feedback
from grader.batch.orchestrator import grade_folder
from grader.course.rubric import load_rubric
from tests.conftest import ROOT, SUBMISSIONS

DELTA2_STEP = (r"$$\delta^{[2]} = \frac{\partial L}{\partial z^{[2]}} = "  # with its rule since issue 19
               r"\frac{\partial L}{\partial a^{[2]}} \odot \sigma'(z^{[2]}) = "
               r"\begin{bmatrix} -0.113937 \\ 0.13437 \end{bmatrix}$$")
SAMPLE_NAMES = ["s1001-mlp-numeric.md", "s1002-mlp-numeric.md", "s1003-mlp-numeric.md", "s1004-mlp-numeric.md",
                "s1005-mlp-numeric.md", "s1006-mlp-numeric.md", "s1007-mlp-numeric.md",
                "s1008-mlp-numeric.md", "s1009-mlp-numeric.md", "s2001-mlp-random.md", "s2002-mlp-random.md",
                "s2003-mlp-random.md", "seed000-softmax-ce.md", "seed000-writeup-softmax-ce.md",
                "seed001-softmax-ce.md", "seed001-writeup-softmax-ce.md", "seed002-backprop-general.md",
                "seed002-writeup-backprop-general.md", "seed003-residual-softmax.md",
                "seed003-writeup-residual-softmax.md", "seed004-writeup-mlp-numeric.md"]  # (+ the write-ups)


@pytest.fixture(scope="module")
def sample(catalog):
    return grade_folder(SUBMISSIONS, catalog=catalog)


@pytest.fixture(scope="module")
def sample_dir(sample, tmp_path_factory):
    out = tmp_path_factory.mktemp("feedback")
    write_feedback(sample, out)
    return out


def student(file, sid, *, name="", assignment="mlp-numeric", questions=(), **kw) -> StudentResult:
    qs = tuple(questions) or (QuestionResult("ex1a.z1", Verdict(CORRECT), 0.5, 0.5),)
    return StudentResult(file, sid, name, "", assignment, qs, sum(q.max_points for q in qs), **kw)


# --- file names -----------------------------------------------------------------------------------

def test_one_file_per_answer_file_named_by_id_and_assignment(sample, sample_dir):
    assert sorted(p.name for p in sample_dir.iterdir()) == SAMPLE_NAMES
    assert [p.name for p in write_feedback(sample, sample_dir)] == SAMPLE_NAMES  # the paths, in name order


@pytest.mark.parametrize("text,name", [
    ("s1024", "s1024"),
    ("../../etc/passwd", "etc_passwd"),
    ("..", ""),
    (".hidden", "hidden"),
    ("a b<c>:d*?", "a_b_c_d"),
    ("Ünïcode", "n_code"),
    ("x" * 100, "x" * 64),
])
def test_safe_name(text, name):
    assert safe_name(text) == name


def _digest(sid: str) -> str:
    import hashlib
    return hashlib.sha256(sid.encode()).hexdigest()[:8]


def test_collisions_get_distinct_names_whatever_the_input_order():
    rows = [student("b/s1.yaml", "s1"), student("a/s1.yaml", "s1"), student("S1.yaml", "S1"),
            student("x.yaml", "s:1"), student("y.yaml", "s_1")]
    expected = {"S1.yaml": f"S1-{_digest('S1')}-mlp-numeric.md", "a/s1.yaml": f"s1-{_digest('s1')}-mlp-numeric.md",
                "b/s1.yaml": f"s1-{_digest('s1')}-mlp-numeric-2.md",
                "x.yaml": f"s_1-{_digest('s:1')}-mlp-numeric.md", "y.yaml": "s_1-mlp-numeric.md"}
    assert feedback_names(rows) == expected
    assert feedback_names(list(reversed(rows))) == expected


@pytest.mark.parametrize("impostor", ["_s1004", "s1004.", "-s1004", "S1004", " s1004", "s1004/"])
def test_no_file_takes_another_students_feedback_name(impostor):
    """``_s1004`` used to get ``s1004-mlp-numeric.md``, pushing the real s1004 to ``-2``."""
    rows = [student("real.yaml", "s1004"), student("fake.yaml", impostor), student("fake2.yaml", impostor)]
    names = feedback_names(rows)
    if impostor.lower() == "s1004":  # equal but for case: neither gets the plain name
        assert names["real.yaml"] == f"s1004-{_digest('s1004')}-mlp-numeric.md"
    else:
        assert names["real.yaml"] == "s1004-mlp-numeric.md"
    assert len({n.lower() for n in names.values()}) == 3
    assert feedback_names([rows[0]]) == {"real.yaml": "s1004-mlp-numeric.md"}


def test_ids_equal_but_for_case_never_share_a_name_on_a_case_insensitive_disk(tmp_path, catalog):
    rows = (student("a.yaml", "Ab"), student("b.yaml", "ab"))
    names = feedback_names(rows)
    assert names == {"a.yaml": f"Ab-{_digest('Ab')}-mlp-numeric.md", "b.yaml": f"ab-{_digest('ab')}-mlp-numeric.md"}
    paths = write_feedback(ClassResult("class", rows, catalog), tmp_path / "out")
    assert "Student: Ab\n" in paths[0].read_text() and "Student: ab\n" in paths[1].read_text()


def test_a_hostile_id_cannot_leave_the_folder(tmp_path, catalog):
    result = ClassResult("class", (student("x.yaml", "../../../evil"),), catalog)
    [path] = write_feedback(result, tmp_path / "out")
    assert path == tmp_path / "out" / f"evil-{_digest('../../../evil')}-mlp-numeric.md" and path.is_file()
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == [path.name]


# --- content --------------------------------------------------------------------------------------

def test_a_known_wrong_answer_gets_points_verdict_flag_and_feedback(sample_dir):
    text = (sample_dir / "s1004-mlp-numeric.md").read_text()
    assert text.startswith("# Feedback: mlp-numeric\n\n- Student: Grace Hopper (s1004)\n")
    assert "- Score: 34 / 102 (33.3 %)\n" in text
    assert "| ex1a.delta2 | 0 / 1 | wrong | loss-gradient-sign |\n" in text
    assert "| ex1a.dW2 | 0.5 / 1 | follow-through | loss-gradient-sign |\n" in text
    section = text.split("### ex1a.delta2: 0 / 1, wrong\n", 1)[1].split("###", 1)[0]
    assert "- Flags: loss-gradient-sign\n" in section
    assert "- Feedback: no entry matches (relative tolerance 0.001, absolute 1e-06). \\[loss-gradient-sign\\] " \
           "∂L/∂x^{\\[2\\]} points towards larger loss: it is x^{\\[2\\]} − z (prediction minus target).\n" in section
    assert "### ex1a.z1" not in text  # right answers are only in the table
    assert "## Not answered (63)" in text and "Worked solution" not in text  # the shipped rubric reveals nothing


def test_a_rejected_file_says_why(sample_dir):
    text = (sample_dir / "s1006-mlp-numeric.md").read_text()  # its id read from the broken file's lines
    assert "- Student: Charles Babbage (s1006)\n" in text and "- Status: rejected\n" in text
    assert "## Your file could not be graded" in text and "invalid YAML" in text


def test_an_answer_awaiting_a_ta_is_listed_apart(sample_dir):
    text = (sample_dir / "seed002-backprop-general.md").read_text()
    assert "## Waiting for a TA\n\n- task3.blowup (5 points): a TA grades this answer by hand\n" in text
    assert "### task3.blowup" not in text


def test_the_worked_step_is_shown_when_the_rubric_reveals_it(tmp_path):
    (tmp_path / "rubrics").mkdir()
    (tmp_path / "class").mkdir()
    (tmp_path / "reference").mkdir()  # a course folder: the sample assignment, its rubric revealing
    (tmp_path / "reference" / "mlp-numeric.yaml").write_text((ROOT / "reference" / "mlp-numeric.yaml").read_text())
    shipped = (ROOT / "rubrics" / "mlp-numeric.yaml").read_text()
    (tmp_path / "rubrics" / "mlp-numeric.yaml").write_text(shipped + "reveal_solution: true\n")
    (tmp_path / "class" / "s1004.yaml").write_text((SUBMISSIONS / "s1004_wrong_entries.yaml").read_text())
    result = grade_folder(tmp_path / "class", catalog=Catalog(root=tmp_path))
    [path] = write_feedback(result, tmp_path / "out")
    text = path.read_text()
    section = text.split("### ex1a.delta2: 0 / 1, wrong\n", 1)[1].split("###", 1)[0]
    assert section.endswith("- Worked solution:\n\n" + DELTA2_STEP + "\n\n")
    assert text.count("- Worked solution:") == 5  # one per answer that lost points, none for right or missing ones
    assert r"\begin{bmatrix} 0.2 \\ 0.2 \\ 0.2 \end{bmatrix}" not in text  # ex1a.z1 was right


def test_reveal_solution_is_off_by_default_and_checked(tmp_path, catalog, mlp_numeric):
    assert catalog.rubric(mlp_numeric).reveal_solution is False
    bad = tmp_path / "mlp-numeric.yaml"
    bad.write_text("assignment: mlp-numeric\nreveal_solution: maybe\n")
    with pytest.raises(ConfigError):
        load_rubric(bad, mlp_numeric)
    good = tmp_path / "mlp-numeric.json"
    good.write_text('{"assignment": "mlp-numeric", "reveal_solution": true}')
    assert load_rubric(good, mlp_numeric).reveal_solution is True


# --- escaping -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,escaped", [
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("[x](javascript:alert(1))", r"\[x\](javascript:alert(1))"),
    ("![img](http://x/y.png)", r"!\[img\](http://x/y.png)"),
    ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
    ("**bold** _it_ `code` $x$ a|b ~~s~~", r"\*\*bold\*\* \_it\_ \`code\` \$x\$ a\|b \~\~s\~\~"),
    ("# heading", r"\# heading"),
    ("- item", r"\- item"),
    ("1. item", r"1\. item"),
    ("1.5 apples", "1.5 apples"),
    ("line\nbreak\r\nand\ttab", "line break and tab"),
    ("a \\ b & c", r"a \\ b &amp; c"),
])
def test_md_escape(text, escaped):
    assert md_escape(text) == escaped


def test_a_hostile_name_and_feedback_stay_text():
    hostile = "<script>alert(1)</script>[x](javascript:alert(1))"
    q = QuestionResult("ex1a.z1", Verdict(WRONG, "expected a number, got '<b>hi</b>'"), 0.0, 0.5)
    error = SubmissionError("bad [link](javascript:x)", file="f.yaml", category="schema")
    text = feedback_markdown(student("f.yaml", "s1", name=hostile, questions=[q], notes=("<i>note</i>",),
                                     error=error))
    for live in ("<script>", "<b>", "<i>", "[x]", "[link]"):
        assert live not in text
    assert not re.search(r"(?<!\\)\]\(", text)  # no "](" a link could start from: every "]" is escaped
    assert "- Student: &lt;script&gt;alert(1)&lt;/script&gt;\\[x\\](javascript:alert(1)) (s1)\n" in text
    assert "got '&lt;b&gt;hi&lt;/b&gt;'" in text


# --- stable bytes ---------------------------------------------------------------------------------

def test_rewriting_gives_the_same_bytes_whatever_the_file_order(sample, sample_dir, tmp_path):
    shuffled = replace(sample, students=tuple(reversed(sample.students)))
    paths = write_feedback(shuffled, tmp_path)
    assert [p.name for p in paths] == SAMPLE_NAMES
    for p in paths:
        assert p.read_bytes() == (sample_dir / p.name).read_bytes()
