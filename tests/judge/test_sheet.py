"""The public sheet (`grade publish`): what a student may see, and `grade check` from it alone.
The key, scores and other students' numbers stay on the course's machine."""
import json
import re
import shutil
from fractions import Fraction

import numpy as np
import pytest
from click.testing import CliRunner

from grader.keys.catalog import Catalog
from grader.cli import cli
from grader.errors import AnswerError
from grader.judge.answers import parse_answer
from grader.batch.orchestrator import check_files
from grader.judge.sheet import load_sheet, make_sheet, sheet_text
from grader.judge.sheet_lookup import shipped_sheets
from tests.conftest import ROOT, SUBMISSIONS
from tests.hostile.corpus import ENTRIES, class_files

IDS = sorted(p.stem for p in (ROOT / "reference").glob("*.yaml"))


def _run(*args, env=None):
    return CliRunner().invoke(cli, list(args), env=env or {"GITHUB_ACTIONS": "false"})


@pytest.fixture
def student(tmp_path, monkeypatch):
    """A student's machine: the grader installed, answer files, no course folder."""
    home = tmp_path / "student"
    (home / "answers").mkdir(parents=True)
    for name in ("s1001_all_correct.yaml", "s1004_wrong_entries.yaml", "s1009_unreadable_answers.yaml"):
        shutil.copy(SUBMISSIONS / name, home / "answers" / name)
    monkeypatch.chdir(home)
    return home


# --- the sheet holds nothing from which a value can be computed ------------------------------------

@pytest.mark.parametrize("ident", IDS)
def test_committed_sheet_is_what_grade_publish_writes_now(ident, tmp_path):
    result = _run("publish", ident, "--out", str(tmp_path), "--course", str(ROOT))
    assert result.exit_code == 0, result.output
    written = (tmp_path / f"{ident}.sheet.json").read_text(encoding="utf-8")
    assert written == (shipped_sheets() / f"{ident}.sheet.json").read_text(encoding="utf-8"), \
        f"run: grade publish {ident} --out grader/course/sheets"
    assert sorted(p.name for p in shipped_sheets().glob("*.sheet.json")) == [f"{i}.sheet.json" for i in IDS]


def _numbers(assignment) -> set[Fraction]:
    out = set()
    for s in assignment.scenarios.values():
        out |= {v for ex in s.examples for vec in ex.values() for v in vec}
        out |= set(s.init.values()) | {v for rows in s.params.values() for row in rows for v in row}
        out |= {s.learning_rate} if s.learning_rate is not None else set()
    return out


def _printed(value) -> set[str]:
    f = float(value)
    return {f"{f:g}", f"{f:.4g}", f"{f:.6f}".rstrip("0"), repr(f)} - {""}


@pytest.mark.parametrize("ident", IDS)
def test_sheet_holds_no_number_of_the_assignment_and_no_key(ident, catalog):
    assignment = catalog.assignment(ident)
    text = sheet_text(make_sheet(assignment))
    numbers = {t for v in _numbers(assignment) for t in _printed(v)}
    key = catalog.key(assignment)
    for qid, entry in key.entries.items():
        if entry.value is not None and entry.question.kind == "matrix":
            numbers |= {t for v in np.asarray(entry.value, dtype=float).ravel() for t in _printed(v)}
        if entry.expression:
            assert json.dumps(entry.expression) not in text, qid
    # single digits are sizes and ids (3 x 1, ex1a); every other number printed must not appear
    leaked = sorted(n for n in numbers if not re.fullmatch(r"-?\d", n) and re.search(rf"(?<![\w.]){re.escape(n)}(?![\w])", text))
    assert not leaked
    for word in ("description", "answer", "learning_rate", "examples", "init", "params", "draws", "tolerance",
                 "mistakes", "misconception"):
        assert f'"{word}"' not in text
    assert assignment.description.strip().splitlines()[0] not in text


def test_no_shape_is_given_where_a_question_asks_for_one():
    """residual-softmax and softmax-ce ask for shapes (W1 is d x d) and a parameter count: their
    sheets carry no shape at all; backprop-general's symbols and questions do."""
    for ident in ("residual-softmax", "softmax-ce"):
        sheet = json.loads((shipped_sheets() / f"{ident}.sheet.json").read_text())
        assert not any("shape" in q for q in sheet["questions"])
        assert not any("shape" in s for table in sheet["symbols"].values() for s in table.values())
    general = json.loads((shipped_sheets() / "backprop-general.sheet.json").read_text())
    assert general["symbols"]["task2"]["X"]["shape"] == "n x m"


def test_sheet_of_a_randomized_assignment_is_the_same_for_every_salt(tmp_path):
    texts = set()
    for salt in ("", "course-secret", "another"):
        out = tmp_path / (salt or "none")
        result = CliRunner().invoke(cli, ["publish", "mlp-random", "--out", str(out), "--course", str(ROOT)],
                                    env={"GRADER_SALT": salt})
        assert result.exit_code == 0, result.output
        texts.add((out / "mlp-random.sheet.json").read_text())
        texts.add(sheet_text(make_sheet(Catalog(root=ROOT, salt=salt).assignment("mlp-random"))))
    assert len(texts) == 1
    sheet = json.loads(texts.pop())
    assert {q["shape"] for q in sheet["questions"] if q["id"] == "ex1a.dW1"} == {"3 x 5"}


# --- grade check from a sheet alone, and the same problems as from the course's file ---------------

def _described(problems):
    return [p.describe(caret=False) for p in problems]


def test_check_from_sheets_agrees_with_the_course_on_every_sample_file(tmp_path):
    files = sorted(p for p in SUBMISSIONS.rglob("*") if p.suffix in (".yaml", ".yml", ".json"))
    course = _described(check_files(files, catalog=Catalog(root=ROOT)))
    alone = _described(check_files(files, catalog=Catalog(root=tmp_path), sheets=shipped_sheets()))
    assert course == alone and len(course) >= 8  # s1006's YAML error, s1009's seven problems


def test_check_from_sheets_agrees_with_the_course_on_the_hostile_files(tmp_path, catalog):
    folder = tmp_path / "hostile"
    folder.mkdir()
    made = class_files(folder, catalog)
    files = sorted(folder / name for name in made)
    course = _described(check_files(files, catalog=catalog))
    alone = _described(check_files(files, catalog=Catalog(root=tmp_path), sheets=shipped_sheets()))
    assert course == alone and len(course) > 100


def _outcome(parse):
    try:
        parse()
        return "ok"
    except AnswerError as e:
        return f"{e.category}: {e.message}"


def test_every_small_hostile_answer_is_read_alike_from_the_sheet(catalog):
    sheets = {i: load_sheet(shipped_sheets() / f"{i}.sheet.json") for i in IDS}
    compared = 0
    for e in ENTRIES:
        if not e.small():
            continue
        assignment = catalog.assignment(e.assignment)
        key = catalog.key(assignment) if assignment.question(e.question).kind == "expression" else None
        raw = e.raw()
        course = _outcome(lambda: parse_answer(assignment.question(e.question), raw, key))
        sheet = sheets[e.assignment]
        alone = _outcome(lambda: sheet.parse(sheet.question(e.question), raw))
        assert course == alone, e.name
        compared += 1
    assert compared > 300


# gradients written as derivatives of the loss, and names that are no gradient of a declared symbol
GRADIENT_NOTATION = [
    ("backprop-general", "task2.dW_L", r"\frac{\partial J}{\partial Z^{[L]}} A^{[L-1]T}"),
    ("backprop-general", "task2.delta_L", r"\nabla_{Z^{[L]}} J"),
    ("backprop-general", "task2.delta_L", r"\frac{\partial J}{\partial \delta^{[L]}}"),
    ("backprop-general", "task2.dW_L", r"\frac{\partial J}{\partial Q^{[L]}}"),
    ("softmax-ce", "task2a.grad_W", r"\frac{\partial L}{\partial \hat{z}^{(L)}} (z^{(L-1)})^T"),
    ("residual-softmax", "q1c.xbar", r"\frac{\partial L}{\partial z_1} + \frac{\partial L}{\partial x}"),
]


@pytest.mark.parametrize("assignment_id, qid, text", GRADIENT_NOTATION)
def test_a_sheet_reads_gradient_notation_as_the_course_does(catalog, assignment_id, qid, text):
    assignment = catalog.assignment(assignment_id)
    sheet = load_sheet(shipped_sheets() / f"{assignment_id}.sheet.json")
    course = _outcome(lambda: parse_answer(assignment.question(qid), text, catalog.key(assignment)))
    alone = _outcome(lambda: sheet.parse(sheet.question(qid), text))
    assert course == alone


def test_a_sheet_says_which_symbol_names_whose_gradient(catalog):
    symbols = make_sheet(catalog.assignment("backprop-general"))["symbols"]["task2"]
    assert symbols["Z_L"].get("derivable") and symbols["delta_L"]["gradient_of"] == "Z_L"
    assert "derivable" not in symbols["ones"] and not any("quantity" in s for s in symbols.values())


def test_grade_check_on_a_students_machine_uses_the_shipped_sheet(student):
    result = _run("check", "answers/s1001_all_correct.yaml", "answers/s1009_unreadable_answers.yaml")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 7 and lines[0].startswith("answers/s1009_unreadable_answers.yaml:6: question ex1a.x1:")


def test_grade_check_uses_a_sheet_the_course_published(student, tmp_path):
    """A course's own assignment: published on the course's machine, checked on the student's."""
    course = tmp_path / "course"
    (course / "reference").mkdir(parents=True)
    text = (ROOT / "reference" / "residual-softmax.yaml").read_text().replace("id: residual-softmax", "id: hw7")
    (course / "reference" / "hw7.yaml").write_text(text)
    assert _run("publish", "hw7", "--out", str(student / "sheets"), "--course", str(course)).exit_code == 0
    (student / "answers" / "hw7.yaml").write_text(
        'assignment: hw7\nstudent: {id: s1}\nanswers:\n  q1c.ybar: "y - t"\n  q1c.hbar: "W^{(2)T} (y - q)"\n'
        '  q1a.W1_shape: "d x d"\n')
    result = _run("check", "--sheets", "sheets", "answers/hw7.yaml")
    assert result.exit_code == 1
    [line] = result.stdout.splitlines()
    assert line.startswith("answers/hw7.yaml:5: question q1c.hbar:") and "'q'" in line
    assert _run("check", "answers/hw7.yaml").stdout.splitlines() == [
        "answers/hw7.yaml:1: unknown assignment 'hw7' (no public sheet or assignment file for it: --sheets DIR "
        "names the course's sheets)"]  # without the sheet, nothing knows hw7


# --- what needs the course's assignment files -------------------------------------------------------

def test_grade_key_on_a_students_machine_refuses(student):
    result = _run("key", "mlp-numeric")
    assert result.exit_code == 2
    assert "grade key needs the course's assignment file for 'mlp-numeric'" in result.output
    assert "only its public sheet was found" in result.output and "--course DIR" in result.output
    assert "not a student's" in result.output
    assert "0.5" not in result.output  # no key


def test_grade_check_score_on_a_students_machine_refuses(student):
    result = _run("check", "--score", "answers/s1004_wrong_entries.yaml")
    assert result.exit_code == 2
    assert "grade check --score needs the course's assignment file for 'mlp-numeric'" in result.output
    assert "points" not in result.output and "correct" not in result.output.replace("course", "")


def test_grade_key_and_score_work_with_the_course_folder(student):
    assert _run("key", "mlp-numeric", "--course", str(ROOT)).exit_code == 0
    result = _run("check", "--score", "answers/s1004_wrong_entries.yaml", "--course", str(ROOT))
    assert result.exit_code == 0 and "answers/s1004_wrong_entries.yaml: 34/102 points (33.3 %)" in result.stdout


def test_score_message_never_hands_students_the_salt(student):
    shutil.copy(SUBMISSIONS / "random" / sorted(p.name for p in (SUBMISSIONS / "random").iterdir())[0],
                student / "answers" / "r.yaml")
    result = CliRunner().invoke(cli, ["check", "--score", "answers/r.yaml", "--course", str(ROOT)],
                                env={"GITHUB_ACTIONS": "false", "GRADER_SALT": ""})
    assert result.exit_code == 0, result.output
    assert "not scored" in result.stdout
    assert "GRADER_SALT" not in result.output and "--salt" not in result.output
    for path in [*(ROOT / "grader").rglob("*.py"), *(ROOT / "integrations").rglob("*")]:
        # the option's own declaration and the catalog's default read it; the salt rule tells the
        # course's grading run (grade FOLDER, an autograder) to set it; no other message names it
        if path.is_file() and path.suffix != ".md" and path.name not in ("options.py", "catalog.py", "salt_rule.py"):
            assert "GRADER_SALT" not in path.read_text(errors="replace"), path


def test_publish_needs_the_course(student, tmp_path):
    result = _run("publish", "mlp-numeric", "--out", str(tmp_path / "out"))
    assert result.exit_code == 2 and "grade publish needs the course's assignment file" in result.output


def test_a_broken_or_smuggling_sheet_is_a_configuration_error(student):
    """A sheet is the course's file: one that does not match the schema (a key smuggled in,
    say) is refused with exit 2, naming the file."""
    (student / "sheets").mkdir()
    sheet = json.loads((shipped_sheets() / "mlp-numeric.sheet.json").read_text())
    sheet["questions"][0]["answer"] = "[0.1; 0.2; 0.3]"
    (student / "sheets" / "mlp-numeric.sheet.json").write_text(json.dumps(sheet))
    result = _run("check", "--sheets", "sheets", "answers/s1001_all_correct.yaml")
    assert result.exit_code == 2
    assert "configuration error" in result.output and "sheets/mlp-numeric.sheet.json" in result.output


def test_checking_numbers_from_a_sheet_loads_neither_sympy_nor_the_expression_grammar(student):
    import subprocess
    import sys
    code = ("import sys; from pathlib import Path; from grader.batch.orchestrator import check_files; "
            "import grader.parse.expression.parser as e; "
            "assert check_files([Path('answers/s1001_all_correct.yaml')]) == []; "
            "print('sympy' in sys.modules, e.parsers.cache_info().currsize)")
    out = subprocess.run([sys.executable, "-c", code], cwd=student, capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert out.stdout.split() == ["False", "0"]

