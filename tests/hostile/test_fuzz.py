r"""Fuzzing: whatever arrives, the loader, the parsers, grading and the CLI answer with a
verdict or a typed error, never a traceback.

* random bytes and byte soups of YAML/JSON fragments → :func:`read_submission`: a Submission or
  a SubmissionError;
* random YAML and JSON documents (str, list, dict) → the safe loader gives back exactly what
  was dumped (every scalar as text), or refuses the document with a documented category;
  the same documents mutated never crash it;
* random text, fragment soups and grammar-generated expressions (valid, then mutated) as the
  answer to numeric, class, expression, shape, count and free-text questions →
  :func:`grade_submission`: a verdict for every question, an AnswerError for the unreadable;
* random files → ``grade check`` and ``grade run`` (click's CliRunner): no traceback.

The default runs are short and derandomized (the same examples every run, a few seconds per
test); ``pytest -m fuzz_long`` runs each property with random examples, 25 times as many.
"""
from __future__ import annotations

import json
import re
import string
import tempfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.cli import cli
from grader.results import UNREADABLE
from grader.errors import ANSWER_CATEGORIES, SUBMISSION_CATEGORIES, AnswerError, SubmissionError
from grader.io.safe_load import MAX_DEPTH, load_text
from grader.batch.orchestrator import grade_submission
from grader.io.answer_files import Submission, read_submission



LONG_FACTOR = 25


def fuzz(body, examples: int, **strategies):
    """Two tests of one property: short and repeatable (derandomized), and behind the
    ``fuzz_long`` marker with random examples, ``LONG_FACTOR`` times as many. ``body`` takes
    its fixtures first, then the drawn ``strategies`` by name."""
    quick = settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                     suppress_health_check=list(HealthCheck))(given(**strategies)(body))
    long = settings(max_examples=examples * LONG_FACTOR, deadline=None,
                    suppress_health_check=list(HealthCheck))(given(**strategies)(body))
    return quick, pytest.mark.fuzz_long(long)


# --- strategies ------------------------------------------------------------------------

YAML_BITS = [b"&a ", b"*a", b"!!python/object/apply:os.system ", b"!!str ", b"!foo ", b"[", b"]",
             b"{", b"}", b": ", b"- ", b"? ", b"\n", b"  ", b"\t", b"---\n", b"...\n", b"#",
             b"|\n", b">-\n", b"'", b'"', b"\\", b'"\\e"', b'"\\u00', b"\\ud800", b"%YAML 1.1\n",
             b"%TAG ! tag:x\n", b"<<: ", b"\xef\xbb\xbf", b"\xff\xfe", b"\x00", b"\r\n", b"\x85",
             b"no", b"2:30", b"0o17", b"1_000", b"2024-01-01", b".nan", b"NaN", b"Infinity",
             b"1e999999", b"9" * 40, b"assignment: mlp-numeric\n", b"student: {id: s1}\n",
             b"answers:\n  ex1a.z1: ", b"ex1b.class: ", b'{"answers": {', b"\xe2\x80\xae", b"\xc3"]
ANSWER_BITS = ["[", "]", "(", ")", "{", "}", ",", ";", "&", r"\\", " ", "\n", "-", "+", "*",
               "/", "^", "^T", "'", ".", "e", "E", "1", "0", "9" * 31, "1e999", "nan", "inf",
               "no", r"\frac", r"\begin{bmatrix}", r"\end{bmatrix}", r"\times", "10^", "array(",
               r"\hat{y}", "y", r"\delta^{(L)}", "z^{(L-1)}", r"\tilde{z}^{(L-1)}", "w^{(L-1)}",
               r"\sigma", r"\odot", "@", "max(", r"\mathbb{1}\{", r"\}", "> 0", r"\sum_k", "_i",
               "C", " x ", "d_{L-1}", "d", "^2", "=", "__import__('os')", r"\input{", "\u202e",
               "\u200b", "１", "−", "ŷ", "\x00", "\ud800", "∞", "9**9**9", "(" * 41, "x"]

soups = st.lists(st.sampled_from(YAML_BITS) | st.binary(max_size=6), max_size=40).map(b"".join)
answer_soups = st.lists(st.sampled_from(ANSWER_BITS) | st.text(max_size=3), max_size=30).map("".join)
scalars = st.text(max_size=12) | st.sampled_from(["no", "2:30", "~", "null", "0o17", "1_000",
                                                  "2024-01-01", ".inf", "<<", "=1+1", "-", "'x",
                                                  "&a", "*a", "!!int 1", "# c", "[1, 2]", ""])
documents = st.recursive(scalars, lambda kids: st.lists(kids, max_size=4)
                         | st.dictionaries(scalars, kids, max_size=4), max_leaves=30)


def symbolic_grammar():
    """Expressions of the symbolic grammar over softmax-ce's names, brackets always written,
    so every one is syntactically valid."""
    atoms = st.sampled_from([r"\hat{y}", "y", r"\delta^{(L)}", "z^{(L-1)}", r"\tilde{z}^{(L-1)}",
                             r"\tilde{z}^{(L)}", "w^{(L-1)}", "W^{(L-1)}", "b^{(L-1)}", "y_hat",
                             "ŷ", "2", "0.5", r"\frac{1}{2}", "1", "0"])
    unary = ["-(¤)", "(¤)^T", r"(¤)^{\top}", "(¤)^2", r"\sigma(¤)", r"\exp(¤)", r"\log(¤)",
             "relu(¤)", r"\phi'(¤)", r"\max(0, ¤)", r"\tanh(¤)", "softmax(¤)",
             r"\mathbb{1}\{¤ > 0\}", "1 - (¤)", r"\sigma(¤)(1 - \sigma(¤))"]
    binary = ["(¤) + (¤¤)", "(¤) - (¤¤)", "(¤) (¤¤)", r"(¤) \odot (¤¤)", "(¤) * (¤¤)", "(¤) @ (¤¤)",
              r"\frac{¤}{¤¤}", r"(¤) \cdot (¤¤)", r"(¤) \circ (¤¤)"]

    def extend(kids):
        return (st.tuples(st.sampled_from(unary), kids).map(lambda t: t[0].replace("¤", t[1]))
                | st.tuples(st.sampled_from(binary), kids, kids).map(
                    lambda t: t[0].replace("¤¤", "\0").replace("¤", t[1]).replace("\0", t[2])))
    return st.recursive(atoms, extend, max_leaves=12)


@st.composite
def mutated(draw, base):
    """``base`` with a few random edits: delete, duplicate, insert a fragment, swap."""
    text = draw(base)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 6)))
        edit = draw(st.sampled_from(["delete", "duplicate", "insert", "swap"]))
        if edit == "delete":
            text = text[:i] + text[j:]
        elif edit == "duplicate":
            text = text[:j] + text[i:j] + text[j:]
        elif edit == "insert":
            text = text[:i] + draw(st.sampled_from(ANSWER_BITS) | st.text(max_size=2)) + text[i:]
        elif j - i >= 2:
            text = text[:i] + text[i + 1] + text[i] + text[i + 2:]
    return text


# --- the loader ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def scratch():
    with tempfile.TemporaryDirectory() as d:
        yield Path(d)


CATALOG = []  # the session's catalog, set by the fixture below (kept out of example reports)


@pytest.fixture(scope="module", autouse=True)
def shared_catalog(catalog):
    """Grading here, and the CLI, use the session's catalog: answer keys are built once
    (speed only: a CLI run would otherwise build them anew)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("grader.keys.catalog.Catalog", lambda *a, **k: catalog)
        patch.setattr("grader.batch.orchestrator.Catalog", lambda *a, **k: catalog)
        CATALOG[:] = [catalog]
        yield catalog


def read_or_refuse(path: Path):
    try:
        return read_submission(path, shown_as="f")
    except SubmissionError as e:
        assert e.category in SUBMISSION_CATEGORIES, e.describe()
        assert e.describe().startswith("f")
        return None


def _bytes_never_crash(scratch, data, suffix):
    path = scratch / f"fuzz{suffix}"
    path.write_bytes(data)
    read_or_refuse(path)


test_random_bytes_never_crash_the_loader, test_random_bytes_long = fuzz(
    _bytes_never_crash, 150, data=st.binary(max_size=300) | soups, suffix=st.sampled_from([".yaml", ".json"]))


ODD_BREAKS = re.compile("[\x85\u2028\u2029]")  # the dumper writes them raw; YAML 1.1 folds them


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data):
        return True


def depth(x) -> int:
    kids = x.values() if isinstance(x, dict) else x if isinstance(x, list) else ()
    return 1 + max(map(depth, kids), default=0) if isinstance(x, (dict, list)) else 0


def _documents_round_trip(doc, flow, fmt):
    text = json.dumps(doc, ensure_ascii=bool(flow)) if fmt == "json" else \
        yaml.dump(doc, Dumper=_NoAliases, default_flow_style=flow, allow_unicode=True)
    try:
        loaded = load_text(text, source="f", fmt=fmt)
    except SubmissionError as e:  # only what the loader refuses by design
        refused = ("encoding", "empty", "limit") + (("yaml",) if ODD_BREAKS.search(text) else ())
        assert e.category in refused, (e.describe(), text)
        if e.category == "limit":
            assert depth(doc) > MAX_DEPTH
        return
    assert loaded.data == doc, text


test_documents_round_trip_as_text, test_documents_round_trip_long = fuzz(
    _documents_round_trip, 150, doc=documents, flow=st.booleans() | st.none(), fmt=st.sampled_from(["yaml", "json"]))


def _mutated_documents(text, fmt):
    try:
        load_text(text, source="f", fmt=fmt)
    except SubmissionError as e:
        assert e.category in SUBMISSION_CATEGORIES, e.describe()


dumped = documents.map(lambda d: yaml.dump(d, Dumper=_NoAliases, allow_unicode=True)) | documents.map(json.dumps)
test_mutated_documents_never_crash_the_loader, test_mutated_documents_long = fuzz(
    _mutated_documents, 150, text=mutated(dumped), fmt=st.sampled_from(["yaml", "json"]))


# --- answers, all the way to a verdict -------------------------------------------------

QUESTIONS = [("mlp-numeric", "ex1a.W2_new"), ("mlp-numeric", "ex1a.z1"), ("mlp-numeric", "ex1b.class"),
             ("softmax-ce", "task1.delta_L"), ("softmax-ce", "task2a.grad_W"), ("softmax-ce", "task2a.dims"),
             ("softmax-ce", "task3.delta_prev"), ("softmax-ce", "task2a.grad_W_ij"),
             ("residual-softmax", "q1b.params"), ("residual-softmax", "q2a.same"),
             ("backprop-general", "task3.blowup")]


def graded(assignment: str, qid: str, raw):
    """Grade one answer; return its verdict (asserting the contract on the way)."""
    sub = Submission("f.yaml", assignment, "s1", answers={qid: raw})
    result = grade_submission(sub, CATALOG[0])
    assert result.error is None
    q = next(q for q in result.questions if q.question == qid)
    if q.verdict.outcome == UNREADABLE:
        assert isinstance(q.verdict.error, AnswerError)
        assert q.verdict.error.category in ANSWER_CATEGORIES
        assert q.points == 0 and q.verdict.feedback.startswith(f"f.yaml: question {qid}")
    return q.verdict


def _answers_never_crash(where, raw):
    graded(*where, raw)


answer_inputs = st.text(max_size=40) | answer_soups | st.lists(st.text(max_size=6) | answer_soups,
                                                               max_size=4)


test_random_answers_get_a_verdict, test_random_answers_long = fuzz(
    _answers_never_crash, 200, where=st.sampled_from(QUESTIONS), raw=answer_inputs)

EXPRESSIONS = [q for q in QUESTIONS if q[0] == "softmax-ce" and not q[1].endswith("dims")]


def _grammar_expressions_parse(where, text):
    verdict = graded(*where, text)
    if verdict.outcome == UNREADABLE:  # valid by construction: only a size limit may refuse it
        assert verdict.error.category == "limit", (text, verdict.feedback)


test_grammar_expressions_parse_and_grade, test_grammar_expressions_long = fuzz(
    _grammar_expressions_parse, 120, where=st.sampled_from(EXPRESSIONS), text=symbolic_grammar())
test_mutated_expressions_get_a_verdict, test_mutated_expressions_long = fuzz(
    _answers_never_crash, 200, where=st.sampled_from(EXPRESSIONS), raw=mutated(symbolic_grammar()))


# --- the CLI ---------------------------------------------------------------------------

def answer_file(answers: dict) -> str:
    return yaml.dump({"assignment": "mlp-numeric", "student": {"id": "s1"}, "answers": answers},
                     Dumper=_NoAliases, allow_unicode=True)


files = (soups | st.dictionaries(st.sampled_from(["ex1a.z1", "ex1b.class", "ex9.q", "ex1a.W2_new"]),
                                 answer_inputs, max_size=3).map(lambda a: answer_file(a).encode()))


def no_traceback(result, codes=(0, 1)):
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in codes, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output


def _check_command(scratch, data, suffix):
    path = scratch / f"check{suffix}"
    path.write_bytes(data)
    no_traceback(CliRunner().invoke(cli, ["check", str(path)]))


test_check_command_never_crashes, test_check_command_long = fuzz(
    _check_command, 40, data=files, suffix=st.sampled_from([".yaml", ".json"]))


def _run_command(scratch, batch):
    folder = Path(tempfile.mkdtemp(dir=scratch))
    for n, (data, suffix) in enumerate(batch):
        (folder / f"s{n}{suffix}").write_bytes(data)
    result = CliRunner().invoke(cli, ["run", str(folder), "--gradebook", str(folder / "gb.csv"), "--details"])
    no_traceback(result, codes=(0, 1))
    if result.exit_code == 1:  # not one file names a known assignment: said, and no gradebook (grader.batch.unmatched)
        assert "no answer file could be matched to a known assignment" in result.output
        assert not (folder / "gb.csv").exists()
        return
    assert (folder / "gb.csv").read_text(encoding="utf-8").count("\n") >= len(batch)


batches = st.lists(st.tuples(files, st.sampled_from([".yaml", ".json"])), min_size=1, max_size=4)


test_run_command_never_crashes, test_run_command_long = fuzz(_run_command, 8, batch=batches)


def test_fuzz_alphabet_is_printable_enough():
    """The fragments cover every class the corpus has (a guard against silent shrinkage)."""
    assert any("\u202e" in b for b in ANSWER_BITS) and any(b"&a" in b for b in YAML_BITS)
    assert set(string.digits) & set("".join(ANSWER_BITS))
