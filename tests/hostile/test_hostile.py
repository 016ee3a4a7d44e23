"""The hostile-input corpus: every input gets its exact error category, a message that says
where, zero points for that answer (or a rejected row for that file), and the batch goes on.

* answer level: ``tests/hostile/answers.yaml`` (format in ``tests/hostile/README.md``), each
  entry through :func:`grader.judge.answers.parse_answer` with a shipped assignment's question
  (how long each takes is a benchmark's business, ``bench/bench_hostile.py``: no test here
  depends on timing);
* file level: ``tests/hostile/files.py``, made in a temporary folder;
* batch: one file per answer class and every file-level case beside a known-good file, graded
  by :func:`grader.batch.orchestrator.grade_folder` and by the CLI (``grade run``, ``grade check``).
"""
from __future__ import annotations

import builtins
import csv
import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.keys.catalog import Catalog
from grader.cli import cli
from grader.results import MISSING, REVIEW, SHAPE, UNREADABLE
from grader.errors import ANSWER_CATEGORIES, SUBMISSION_CATEGORIES, AnswerError, SubmissionError
from grader.judge.answers import parse_answer
from grader.io.safe_load import MAX_FILE_BYTES, load_file
from grader.batch.orchestrator import grade_file, grade_folder
from grader.io.answer_files import discover, read_submission
from tests.hostile.corpus import CLASSES, ENTRIES, Entry, class_files
from tests.hostile.files import FILE_CASES, GOOD, HIDDEN, MANUAL_FORMULA

ROOT = Path(__file__).resolve().parents[2]
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def question_and_key(catalog: Catalog, entry: Entry):
    assignment = catalog.assignment(entry.assignment)
    return assignment.question(entry.question), catalog.key(assignment)


# --- the corpus itself -----------------------------------------------------------------

def test_corpus_is_large_distinct_and_categorised():
    assert len(ENTRIES) >= 300
    names = [e.name for e in ENTRIES]
    assert len(set(names)) == len(names), "duplicate ids within a class"
    assert {e.category for e in ENTRIES} <= set(ANSWER_CATEGORIES)
    assert {e.category for e in ENTRIES} >= {"syntax", "value", "shape", "limit",
                                               "unknown-symbol", "unknown-function"}
    assert all(group.get("about") for group in CLASSES.values())
    raws = [json.dumps(e.spec, sort_keys=True) + e.question for e in ENTRIES]
    assert len(set(raws)) == len(raws), "the same input twice"


# --- answer level ----------------------------------------------------------------------

@pytest.mark.parametrize("entry", ENTRIES, ids=[e.name for e in ENTRIES])
def test_answer_gets_its_category(entry, catalog):
    question, key = question_and_key(catalog, entry)
    raw = entry.raw()
    with pytest.raises(AnswerError) as info:
        parse_answer(question, raw, key)
    err = info.value
    assert err.category == entry.category, err.describe()
    assert err.message.strip()
    if err.column is not None:  # a column points into the text it came with
        assert err.text is not None and 1 <= err.column <= len(err.text) + 1
    shown = err.at(file="s.yaml", question=question.id, line=7).describe()
    assert shown.startswith(f"s.yaml:7: question {question.id}: ")
    assert err.column is None or f"column {err.column}: " in shown
    assert len(shown) < 1500, "the message must not echo a huge answer"


def test_no_code_is_ever_run(catalog, monkeypatch):
    """Code-injection classes parse with eval, exec, sympify, os.system and subprocess gone."""
    entries = [e for e in ENTRIES if "code" in e.cls or "latex" in e.cls]
    keys = [question_and_key(catalog, e) for e in entries]  # built before the traps are set
    calls = []

    def trap(name):
        return lambda *a, **k: calls.append(name)
    import sympy
    for target, name in [(builtins, "eval"), (builtins, "exec"), (os, "system"), (os, "popen"),
                         (subprocess, "Popen"), (sympy, "sympify"), (sympy, "parse_expr")]:
        if hasattr(target, name):
            monkeypatch.setattr(target, name, trap(name))
    for entry, (question, key) in zip(entries, keys):
        with pytest.raises(AnswerError):
            parse_answer(question, entry.raw(), key)
    assert calls == []


# --- file level ------------------------------------------------------------------------

def usable(case) -> bool:
    return case.needs != "root" or IS_ROOT


CASES = [c for c in FILE_CASES if usable(c)]


def make_case(folder: Path, case) -> Path:
    path = Path(os.fsdecode(os.path.join(os.fsencode(folder), os.fsencode(case.name))))
    case.make(path)
    return path


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_file_case_read_or_skipped(tmp_path, case):
    path = make_case(tmp_path, case)
    files, skipped = discover(tmp_path)
    if case.category == HIDDEN:
        assert files == [] and skipped == []
        return
    if path not in files:  # skipped by discover: never opened
        assert [s.category for s in skipped] == [case.category]
        reason = skipped[0]
        assert reason.file.isprintable() and reason.reason
        reason.file.encode("utf-8")
        return
    if case.category in ("file", "name"):
        pytest.fail(f"{case.id} should have been skipped")
    if case.category in (None, "assignment"):
        read_submission(path, shown_as="x")
        return
    with pytest.raises(SubmissionError) as info:
        read_submission(path, shown_as="shown.yaml")
    err = info.value
    assert err.category == case.category, err.describe()
    assert err.describe().startswith("shown.yaml"), err.describe()


@pytest.mark.skipif(IS_ROOT, reason="root reads any folder")
def test_unreadable_folder_is_reported(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "a.yaml").write_bytes(GOOD.read_bytes())
    locked.chmod(0)
    try:
        files, skipped = discover(tmp_path)
    finally:
        locked.chmod(0o755)
    assert files == [] and [(s.file, s.category) for s in skipped] == [("locked", "file")]
    assert "cannot read folder" in skipped[0].reason


def test_categories_are_documented():
    assert {c.category for c in FILE_CASES} - {None, HIDDEN} <= set(SUBMISSION_CATEGORIES)


def test_size_cap_is_checked_before_reading(tmp_path):
    path = tmp_path / "big.yaml"
    with open(path, "wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(SubmissionError) as info:
        load_file(path)
    assert info.value.category == "size" and str(MAX_FILE_BYTES) in info.value.message


# --- the batch -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def batch(tmp_path_factory, catalog):
    folder = tmp_path_factory.mktemp("hostile-batch")
    (folder / "good.yaml").write_bytes(GOOD.read_bytes())
    answers = class_files(folder, catalog)
    sub = folder / "files"
    sub.mkdir()
    for case in CASES:
        make_case(sub, case)
    return folder, answers


def rows_by_file(result) -> dict[str, object]:
    rows = {}
    for r in result.students:
        assert r.file not in rows
        rows[r.file] = r
    return rows


def check_answer_rows(rows, answers):
    for name, expected in answers.items():
        r = rows[name]
        assert r.error is None, r.status
        by_q = {q.question: q for q in r.questions}
        for qid, entry in expected.items():
            q = by_q[qid]
            assert q.points == 0, (entry.name, q)
            raw = entry.raw()
            if isinstance(raw, str) and not raw.strip():  # a blank left in a template
                assert q.verdict.outcome == MISSING, (entry.name, q.verdict)
                continue
            assert q.verdict.outcome == UNREADABLE, (entry.name, q.verdict)
            assert q.verdict.error.category == entry.category, (entry.name, q.verdict.feedback)
            assert q.verdict.feedback.startswith(f"{name}:") and f"question {qid}" in q.verdict.feedback
        assert "unreadable" in r.status or "missing" in r.status


def check_file_rows(rows):
    shown = {}
    for case in CASES:
        matches = [f for f in rows if f.startswith("files/")
                   and f[len("files/"):] in (os.fsdecode(case.name) if isinstance(case.name, bytes)
                                             else case.name, _escaped(case.name))]
        if case.category == HIDDEN:
            assert not matches, case.id
            continue
        assert len(matches) == 1, (case.id, sorted(rows))
        r = rows[matches[0]]
        shown[case.id] = r
        if case.category is None:
            assert r.error is None, (case.id, r.status)
            by_q = {q.question: q for q in r.questions}
            for qid, want in case.answers.items():
                q = by_q[qid]
                if want == "ok":
                    assert q.points == q.max_points, (case.id, qid, q.verdict)
                elif want in (REVIEW, SHAPE):  # 0 points, and the verdict says why
                    assert q.verdict.outcome == want and q.points == 0, (case.id, qid)
                    assert want != SHAPE or "expected" in q.verdict.feedback, q.verdict.feedback
                elif want == MISSING:
                    assert q.verdict.outcome == MISSING, (case.id, qid)
                else:
                    assert q.points == 0 and q.verdict.error.category == want, (case.id, qid, q.verdict)
            continue
        assert r.points == 0 and r.error is not None, case.id
        assert r.status.startswith("rejected: files/"), r.status
        if case.category not in ("file", "name"):  # skips: see the report on pipeline.py
            assert r.error.category == case.category, (case.id, r.status)
    return shown


def _escaped(name) -> str:
    from grader.io.answer_files import shown_name
    return shown_name(os.fsdecode(name) if isinstance(name, bytes) else name)


@pytest.fixture
def shared_catalog(monkeypatch, catalog):
    """The CLI's catalog is the session's, so answer keys are not built again (speed only)."""
    monkeypatch.setattr("grader.keys.catalog.Catalog", lambda *a, **k: catalog)
    monkeypatch.setattr("grader.batch.orchestrator.Catalog", lambda *a, **k: catalog)


def test_batch_in_process(batch, catalog):
    folder, answers = batch
    known = grade_file(GOOD, GOOD.parent, catalog)  # s1001: all right, full marks
    assert known.points == known.max_points > 0 and known.status == "complete"
    result = grade_folder(folder, catalog=catalog, time_limit=None)
    rows = rows_by_file(result)
    assert rows["good.yaml"].points == known.points and rows["good.yaml"].status == "complete"
    check_answer_rows(rows, answers)
    shown = check_file_rows(rows)
    for case_id in ("utf8-bom", "double-bom", "crlf"):
        assert shown[case_id].points == known.points
    for r in result.students:
        r.status.encode("utf-8")  # every row can be written


def test_batch_through_the_cli(batch, tmp_path, shared_catalog):
    folder, answers = batch
    out = tmp_path / "out"
    out.mkdir()
    gradebook, report, html = out / "gb.csv", out / "r.json", out / "r.html"
    result = CliRunner().invoke(cli, ["run", str(folder), "--gradebook", str(gradebook), "--details",
                                      "--json", str(report), "--html", str(html),
                                      "--feedback", str(out / "feedback")])
    output = result.output
    assert result.exit_code == 0, output[-3000:]
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in output and "internal error" not in output
    assert "\x1b" not in output and "\x00" not in output
    rows = rows_by_file_json(report)
    assert rows["good.yaml"]["points"] == rows["good.yaml"]["max"]
    for name, expected in answers.items():
        per_q = {q["id"]: q for q in rows[name]["questions"]}
        assert all(per_q[qid]["points"] == 0 and per_q[qid]["verdict"] in (UNREADABLE, MISSING)
                   for qid in expected)
    with open(gradebook, newline="", encoding="utf-8") as fh:
        cells = [cell for row in csv.reader(fh) for cell in row]
    assert not [c for c in cells if c.startswith(FORMULA_START) and not _number(c)]
    assert "'=cmd|'calc'!A0" in cells and "'@SUM(1+1)" in cells and "'" + MANUAL_FORMULA in cells
    assert "<script>alert(1)</script>" not in html.read_text(encoding="utf-8")
    written = [p.resolve() for p in (out / "feedback").rglob("*")]
    assert written and all((out / "feedback").resolve() in p.parents for p in written)


def rows_by_file_json(path: Path) -> dict:
    return {s["file"]: s for s in json.loads(path.read_text(encoding="utf-8"))["students"]}


def _number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


def test_check_command_on_every_hostile_file(batch, shared_catalog):
    folder, answers = batch
    paths = sorted(str(p) for p in folder.rglob("*") if p.is_file() and not p.is_symlink()
                   and p.stat().st_size <= MAX_FILE_BYTES)
    result = CliRunner().invoke(cli, ["check", *paths])
    assert result.exit_code == 1, result.output[-2000:]
    assert "Traceback" not in result.output and "\x1b" not in result.output
    for name, expected in answers.items():
        blank = all(isinstance(e.raw(), str) and not e.raw().strip() for e in expected.values())
        assert (name in result.output) != blank, name  # a blank left in a template is unanswered, not malformed


def test_readme_states_the_limits():
    """The README's `## Hostile input` table gives the caps the code enforces."""
    from grader.judge.answers import MAX_TEXT
    from grader.io import safe_load
    from grader.parse.expression import build as expr_build
    from grader.parse.expression import tokens as expr_tokens
    from grader.parse.expression import parser as expression
    from grader.parse.expression import lexer
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Hostile input", 1)[1].split("\n## ", 1)[0]
    for value in (safe_load.MAX_FILE_BYTES, safe_load.MAX_DEPTH, safe_load.MAX_NODES, lexer.MAX_CHARS,
                  lexer.MAX_ENTRIES, lexer.MAX_DIGITS, lexer.MAX_EXPONENT, expression.MAX_CHARS,
                  expression.MAX_DEPTH, expr_tokens.MAX_TOKENS, expr_build.MAX_NODES,
                  expr_tokens.MAX_DIGITS, expr_build.MAX_POWER, MAX_TEXT):
        assert f"{value:,}" in section, value
    for category in set(SUBMISSION_CATEGORIES) - {"student"} | set(ANSWER_CATEGORIES) - {"question"}:
        assert f"`{category}`" in section, category
