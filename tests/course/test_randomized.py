"""Per-student random variants: determinism, screening, handouts, grading and copy detection."""
import csv
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from grader.keys.catalog import Catalog
from grader.cli import cli
from grader.keys.screening import Screening, drawn, problems, profile
from grader.errors import ConfigError
from grader.io.roster import read_roster
from grader.keys.key_text import answer_value, key_answer_file
from grader.batch.orchestrator import grade_folder
from grader.course.draws import draw_number, student_rng
from grader.keys.misconception_runs import variant_values
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "random-course"
SALT = "course-secret"


@pytest.fixture(scope="module")
def salted():
    return Catalog(root=ROOT, salt=SALT)


@pytest.fixture(scope="module")
def fixtures():
    return Catalog(root=FIXTURES, salt=SALT)


def _params(catalog, student):
    a = catalog.for_student(catalog.assignment("mlp-random"), student)
    s = a.scenarios["ex1a"]
    return {p: [[str(v) for v in row] for row in rows] for p, rows in s.params.items()}, s


def test_a_students_numbers_are_pinned_across_runs_and_machines(salted):
    # sha256 + Mersenne Twister integers: these exact numbers on every machine and Python 3.
    params, scenario = _params(salted, "s1")
    assert params["W2"] == [["-1/10", "-1/10", "-7/10"], ["-4/5", "-9/10", "-4/5"]]
    assert [str(v) for v in scenario.examples[0]["x"]] == ["0", "0", "1", "0", "0"]
    assert scenario.examples[0]["t"] == [Fraction(1), Fraction(0)]
    assert scenario.learning_rate == 2


def test_same_student_same_key_in_a_fresh_process(salted):
    here = key_answer_file(salted.key(salted.for_student(salted.assignment("mlp-random"), "s7")), student_id="s7")
    there = subprocess.run([sys.executable, "-m", "grader.cli", "key", "mlp-random", "--student", "s7", "--format", "yaml"],
                           capture_output=True, text=True, cwd=ROOT, env={"GRADER_SALT": SALT, "PATH": "/usr/bin:/bin"},
                           check=True).stdout
    assert there == here + "\n"


def test_different_students_and_salts_get_different_numbers(salted):
    seen = {str(_params(salted, f"s{i}")[0]) for i in range(40)}
    assert len(seen) == 40
    assert _params(Catalog(root=ROOT, salt="other"), "s1")[0] != _params(salted, "s1")[0]


def test_uniform_draws_are_exact_multiples_in_range():
    rng = student_rng("a", "s", "k")
    values = [Fraction(draw_number({"uniform": ["-0.5", "0.5"], "decimals": "1", "nonzero": "true"}, rng))
              for _ in range(500)]
    assert all(-Fraction(1, 2) <= v <= Fraction(1, 2) and v != 0 and (v * 10).denominator == 1 for v in values)
    assert len(set(values)) == 10  # every nonzero tenth in [-0.5, 0.5] turns up


def test_layer_widths_are_drawn_within_their_range(fixtures):
    template = fixtures.assignment("tiny-random")
    widths = {fixtures.for_student(template, f"s{i}").graphs["net"].shapes["W1"][0] for i in range(30)}
    assert widths <= {2, 3, 4} and len(widths) >= 2


def test_every_accepted_mlp_random_draw_passes_the_screen(salted):
    template = salted.assignment("mlp-random")
    rubric = salted.rubric(template)
    prof = profile(template, rubric)
    for i in range(15):
        d = salted.draw(template, f"s{i}")
        assert problems(d.assignment, d.key, variant_values(d.assignment, d.key, keep_equal=True), rubric, prof,
                        Screening.of(template)) == []
        x2 = d.key["ex1a.x2"].value
        assert ((x2 > 0.01) & (x2 < 0.99)).all()
        assert all(len(t) == 1 for t in d.key["ex1b.class"].tied)


def test_a_degenerate_draw_is_redrawn_deterministically(fixtures):
    template = fixtures.assignment("tiny-random")
    prof = profile(template, fixtures.rubric(template))
    # Find a student whose first attempt draws x = [0, 0]: a gradient of all zeros.
    student = next(f"s{i}" for i in range(200)
                   if not drawn(template, f"s{i}", SALT, 0).scenarios["train"].examples[0]["x"][0]
                   and not drawn(template, f"s{i}", SALT, 0).scenarios["train"].examples[0]["x"][1])
    first = drawn(template, student, SALT, 0)
    from grader.keys.answer_key import build_key
    assert not build_key(first)["dW1"].value.any()
    d = fixtures.draw(template, student)
    assert d.attempt >= 1 and d.rejected[0][0] == 0
    assert "dW1: the gradient is all zeros" in d.rejected[0][1]
    assert d.key["dW1"].value.any()
    again = Catalog(root=FIXTURES, salt=SALT).draw(Catalog(root=FIXTURES).assignment("tiny-random"), student)
    assert again.attempt == d.attempt and np.array_equal(again.key["W1_new"].value, d.key["W1_new"].value)
    assert prof.applies["dW1"]  # the probes learnt which misconceptions change dW1


@pytest.mark.parametrize("assignment, reason", [
    ("hopeless-random", "dW1: the gradient is all zeros"),
    ("saturated-random", "sigmoid a1 is saturated"),
])
def test_an_assignment_with_no_usable_draw_is_a_config_error(fixtures, assignment, reason):
    with pytest.raises(ConfigError, match="no usable draw") as e:
        fixtures.draw(fixtures.assignment(assignment), "s1")
    assert reason in e.value.message and assignment in e.value.file


def test_pairs_that_coincide_are_rejected():
    # eta = 0.5 makes "forgot eta" and "missing 1/2" the same update: such draws are redrawn.
    catalog = Catalog(root=FIXTURES, salt=SALT)
    template = catalog.assignment("tiny-random")
    rejected = [reason for i in range(30) for _, reasons in catalog.draw(template, f"p{i}").rejected for reason in reasons]
    assert any("give the same answer" in r for r in rejected)
    assert any("gives the key's answer" in r for r in rejected)


def _fill(template_text: str, key) -> str:
    data = yaml.safe_load(template_text)
    data["answers"] = {q: answer_value(key[q]) for q in data["answers"]}
    return yaml.safe_dump(data, sort_keys=False)


def test_handout_then_grading_round_trip(tmp_path, salted):
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name,email\ns1,Ada Lovelace,ada@x.org\ns2,\"Turing, Alan\",\ns3,Grace Hopper,\n")
    out = tmp_path / "handouts"
    result = CliRunner().invoke(cli, ["handout", "mlp-random", "--roster", str(roster), "--out", str(out),
                                      "--salt", SALT])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["s1.answers.yaml", "s1.md", "s2.answers.yaml", "s2.md",
                                                     "s3.answers.yaml", "s3.md"]
    sheet = (out / "s2.md").read_text()
    params, scenario = _params(salted, "s2")
    w2 = " & ".join(str(float(Fraction(v))).rstrip("0").rstrip(".") for v in params["W2"][0])
    assert w2 in sheet and "`ex1a.delta2`" in sheet and "Turing, Alan" in sheet
    answers = tmp_path / "class"
    answers.mkdir()
    template = salted.assignment("mlp-random")
    for sid in ("s1", "s2"):  # fill each template with its own student's key
        key = salted.key(salted.for_student(template, sid))
        (answers / f"{sid}.yaml").write_text(_fill((out / f"{sid}.answers.yaml").read_text(), key))
    # s3 hands in s1's numbers
    (answers / "s3.yaml").write_text(_fill((out / "s3.answers.yaml").read_text(),
                                           salted.key(salted.for_student(template, "s1"))))
    graded = {r.student_id: r for r in grade_folder(answers, catalog=Catalog(root=ROOT, salt=SALT)).students}
    assert graded["s1"].percent == 100 and graded["s2"].percent == 100
    assert graded["s3"].points <= 2  # only an answer both draws share (the class) can still be right
    assert not any(q.verdict.outcome == "follow-through" for q in graded["s3"].questions)
    assert any("fit the numbers of student s1" in n for n in graded["s3"].notes)
    assert not any("fit the numbers" in n for n in graded["s1"].notes + graded["s2"].notes)


def test_an_empty_template_grades_as_all_missing(tmp_path, salted):
    out = tmp_path / "h"
    roster = tmp_path / "r.csv"
    roster.write_text("student_id,name\ns9,Someone\n")
    CliRunner().invoke(cli, ["handout", "mlp-random", "--roster", str(roster), "--out", str(out), "--salt", SALT])
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "s9.yaml").write_text((out / "s9.answers.yaml").read_text())
    (r,) = grade_folder(folder, catalog=Catalog(root=ROOT, salt=SALT)).students
    assert r.points == 0 and r.status == "lost points: 19 missing"


def test_a_randomized_submission_without_student_id_is_rejected(tmp_path):
    # Answer files cannot omit it (the schema says so); a library caller can.
    from grader.batch.orchestrator import grade_submission
    from grader.io.answer_files import Submission
    r = grade_submission(Submission("a.yaml", "mlp-random", "", answers={"ex1a.z1": "1"}), Catalog(root=ROOT, salt=SALT))
    assert r.status.startswith("rejected:") and "needs student.id" in r.status and r.max_points == 18


def test_canvas_gradebook_export_works_as_a_roster(tmp_path):
    path = tmp_path / "canvas.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "HW1 (1234)"])
        w.writerow(["    Points Possible", "", "", "", "", "20"])
        w.writerow(["Lovelace, Ada", "101", "s1001", "ada", "ML 1", ""])
        w.writerow(["Hopper, Grace", "102", "s1002", "grace", "ML 1", ""])
    students = read_roster(path)
    assert [(s.student_id, s.name) for s in students] == [("s1001", "Lovelace, Ada"), ("s1002", "Hopper, Grace")]
    assert [s.student_id for s in read_roster(path, id_column="ID")] == ["101", "102"]


def test_moodle_export_works_as_a_roster(tmp_path):
    path = tmp_path / "moodle.csv"
    path.write_text("First name,Surname,ID number,Email address\nAda,Lovelace,s1001,ada@x.org\n")
    (s,) = read_roster(path)
    assert (s.student_id, s.name, s.email) == ("s1001", "Ada Lovelace", "ada@x.org")


@pytest.mark.parametrize("text, message", [
    ("name\nAda\n", "no student id column"),
    ("student_id,name\ns1,A\ns1,B\n", "appears twice (rows 2 and 3)"),
])
def test_bad_rosters_are_config_errors(tmp_path, text, message):
    path = tmp_path / "r.csv"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_roster(path)


@pytest.mark.parametrize("rows, named", [
    (["../../etc/x,Eve", ".hidden,H"], ["row 2: student id '../../etc/x'", "row 3: student id '.hidden'"]),
    (["a.b,A", "a_b,B", "a_b-2,C", "A.B,D"], ["student id 'A.B' differs only in case from 'a.b' (rows 2 and 5)"]),
    (["x" * 300 + ",Long", "ok,Fine"], ["row 2: student id '" + "x" * 64 + "…' has over 64 characters"]),
    (["s 1,Space", "s/1,Slash"], ["row 2: student id 's 1' has a space", "row 3: student id 's/1' has a space"]),
    ([",Ada Lovelace", "s1,Grace"], ["row 2 (Ada Lovelace): no student id"]),
])
def test_handout_refuses_rows_that_cannot_be_students_before_writing(tmp_path, rows, named):
    roster = tmp_path / "r.csv"
    roster.write_text("student_id,name\n" + "\n".join(rows) + "\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["handout", "mlp-random", "--roster", str(roster), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "nothing written" in result.output and "Traceback" not in result.output
    for text in named:
        assert text in result.output
    assert not out.exists()


def test_handout_distinct_ids_get_their_own_files(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("student_id,name\na.b,A\na_b,B\na_b-2,C\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["handout", "mlp-random", "--roster", str(roster), "--out", str(out), "--salt", SALT])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{i}.{e}" for i in ("a.b", "a_b", "a_b-2")
                                                     for e in ("answers.yaml", "md"))
    for sid in ("a.b", "a_b", "a_b-2"):
        assert f"id: {sid}\n" in (out / f"{sid}.answers.yaml").read_text()
        assert CliRunner().invoke(cli, ["check", str(out / f"{sid}.answers.yaml")]).exit_code == 0


def test_key_of_a_randomized_assignment_needs_a_student():
    result = CliRunner().invoke(cli, ["key", "mlp-random"])
    assert result.exit_code == 2 and "--student" in result.output
    result = CliRunner().invoke(cli, ["key", "mlp-random", "--student", "s1", "--salt", SALT])
    assert result.exit_code == 0 and "ex1b.class" in result.output


def test_selftest_covers_many_students(salted):
    from grader.batch.selftest import run_selftest
    result = run_selftest(salted, "mlp-random", students=8)
    assert result.failures == [] and result.checks > 8 * 19


def test_check_score_does_not_score_a_randomized_file_without_the_salt(tmp_path, monkeypatch, salted):
    monkeypatch.delenv("GRADER_SALT", raising=False)
    path = tmp_path / "s1.yaml"
    path.write_text(key_answer_file(salted.key(salted.for_student(salted.assignment("mlp-random"), "s1")),
                                    student_id="s1"))
    result = CliRunner().invoke(cli, ["check", "--score", str(path)])
    assert result.exit_code == 0 and "not scored (mlp-random gives each student their own numbers" in result.output
    monkeypatch.setenv("GRADER_SALT", SALT)
    result = CliRunner().invoke(cli, ["check", "--score", str(path)])
    assert result.exit_code == 0 and "18/18 points (100 %)" in result.output, result.output


def test_the_catalog_keeps_a_bounded_number_of_draws_and_redraws_identically(monkeypatch):
    """Draws (with their keys and variants) are forgotten oldest first past MAX_DRAWS; a
    forgotten student's draw comes back the same."""
    import numpy as np

    import grader.keys.catalog
    from grader.keys.catalog import Catalog
    from tests.conftest import ROOT
    monkeypatch.setattr(grader.keys.catalog, "MAX_DRAWS", 3)
    catalog = Catalog(root=ROOT, salt="bounded")
    template = catalog.assignment("mlp-random")
    first = catalog.for_student(template, "s1")
    first_key = catalog.key(first)
    for sid in ("s2", "s3", "s4", "s5"):
        catalog.variants(catalog.for_student(template, sid))
    assert len(catalog._draws) == 3 and ("mlp-random", "s1") not in catalog._draws
    assert len(catalog._keys) == 3 and len(catalog._variants) == 3
    again = catalog.for_student(template, "s1")
    assert again.variant == first.variant
    assert all(np.array_equal(catalog.key(again)[q].value, first_key[q].value) for q in first_key.entries)
