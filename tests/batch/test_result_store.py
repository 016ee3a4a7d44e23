"""grader/result_store.py: results kept compressed round-trip exactly, their summaries say what
the results say, the parent's memory per stored result stays small, and the reports read the
results one at a time (a report's peak memory does not grow with the class)."""
from __future__ import annotations

import gc
import json
import pickle
import tracemalloc
from dataclasses import replace

import pytest

from grader.batch.orchestrator import grade_folder

from grader.results import ClassResult, StudentResult
from grader.reports.terminal import _json_student, json_chunks, json_report, report_order, summary_table
from grader.result_store import ResultStore, Summary, as_store, pack, summarize, unpack

from tests.conftest import SUBMISSIONS

MLP_FILES = ("s1001_all_correct.yaml", "s1004_wrong_entries.yaml", "s1009_unreadable_answers.yaml",
             "s1002_rounded_4sf.yaml", "s1007_matlab_latex.yaml")
BYTES_PER_MLP_RESULT = 6 * 1024  # held by the parent per stored mlp-numeric result (unpacked: ~66 KB)


@pytest.fixture(scope="module")
def sample(catalog):
    return grade_folder(SUBMISSIONS, catalog=catalog, time_limit=None)


def _same(a: StudentResult, b: StudentResult) -> bool:
    """Equal, variant_check included (the dataclass leaves it out of ==), and pickled alike."""
    return a == b and a.variant_check == b.variant_check and pickle.dumps(a) == pickle.dumps(b)


def test_grade_folder_stores_its_results(sample):
    assert isinstance(sample.students, ResultStore)
    assert len(sample.students) == 21  # 16 answer files and the 5 seed write-ups (submissions/writeups)


def test_a_stored_result_round_trips_exactly(sample):
    results = list(sample.students)
    store = ResultStore(results)
    assert len(store) == len(results)
    for i, r in enumerate(results):
        assert _same(store[i], r)
        assert _same(unpack(pack(r)[1]), r)
    assert all(_same(a, b) for a, b in zip(store, results))
    assert [r.file for r in store[1:4]] == [r.file for r in results[1:4]]
    assert _same(store[-1], results[-1])
    assert store == tuple(results) == store and ResultStore(results[:3]) != store
    assert any(r.variant_check for r in results) and any(r.error for r in results)
    assert any(r.review_text for r in results)


def test_a_summary_says_what_its_result_says(sample):
    for r, s in zip(sample.students, sample.students.summaries()):
        assert s == summarize(r)
        for field in ("file", "student_id", "name", "email", "assignment", "points", "max_points", "status",
                      "flags", "notes", "percent"):
            got, want = getattr(s, field), getattr(r, field)
            assert got == want and type(got) is type(want), field
        assert (s.rejected, s.graded, s.variants) == (r.error is not None, bool(r.questions), bool(r.variant_check))
        assert s.review_ids == tuple(q for q, _ in r.review_text)


def test_replacing_a_result_replaces_its_summary(sample):
    store = ResultStore(sample.students)
    r = store[0]
    store[0] = replace(r, notes=r.notes + ("a note",), questions=r.questions[:1])
    assert store[0].notes[-1] == "a note" and len(store[0].questions) == 1
    assert store.summaries()[0] == summarize(store[0]) and store.summaries()[0].notes[-1] == "a note"
    assert _same(store[1], sample.students[1])


def test_class_result_stores_any_sequence(sample):
    results = tuple(sample.students)
    result = ClassResult("class", results, sample.catalog)
    assert isinstance(result.students, ResultStore) and as_store(result.students) is result.students
    assert summary_table(result) == summary_table(sample)
    assert json_report(replace(sample, students=tuple(reversed(results)))) == json_report(sample)


def test_streamed_json_is_the_whole_dump(sample):
    """The JSON report, written a student at a time, is json.dumps of the whole (the old code)."""
    students = [_json_student(sample.students[i]) for i in report_order(sample)]
    whole = json.dumps({"folder": "submissions", "students": students}, indent=2, ensure_ascii=False) + "\n"
    assert "".join(json_chunks(sample)) == whole
    empty = ClassResult("x/empty", (), sample.catalog)
    assert json_report(empty) == json.dumps({"folder": "empty", "students": []}, indent=2) + "\n"


def _mlp_results(catalog, n: int) -> list[StudentResult]:
    """n distinct mlp-numeric results: the sample's mlp-numeric files under new names."""
    from grader.batch.orchestrator import grade_file

    base = [grade_file(SUBMISSIONS / f, SUBMISSIONS, catalog) for f in MLP_FILES]
    assert all(r.assignment == "mlp-numeric" and len(r.questions) == 103 for r in base)
    return [replace(base[i % len(base)], file=f"mlp-numeric/s{i:05d}.yaml", student_id=f"s{i:05d}",
                    name=f"Student {i}", email=f"s{i:05d}@example.edu") for i in range(n)]


def _traced(make):
    """(bytes still held, peak bytes) while ``make()`` runs, its own result kept."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = make()
        gc.collect()
        now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return kept, now - before, peak - before


def test_the_parent_holds_a_few_kb_per_mlp_numeric_result(catalog):
    """What a worker sends (summary, compressed pickle) is what the parent keeps: measured as
    the parent receives it, unpickled from the pipe's bytes."""
    n = 300
    sent = [pickle.dumps(pack(r)) for r in _mlp_results(catalog, n)]

    def receive():
        store = ResultStore()
        for message in sent:
            store.append_packed(pickle.loads(message))
        return store

    store, held, _ = _traced(receive)  # as the workers send them: summaries still pickled
    assert held / n < BYTES_PER_MLP_RESULT / 2, f"{held / n:.0f} bytes per stored result"
    assert len(store) == n and store[7].student_id == "s00007"

    def receive_and_read():  # and once the reports have read the summaries
        store = receive()
        store.summaries()
        return store

    store, held, _ = _traced(receive_and_read)
    assert held / n < BYTES_PER_MLP_RESULT, f"{held / n:.0f} bytes per stored result, summaries read"


def test_reports_read_one_result_at_a_time(catalog, tmp_path):
    """Writing every report of 300 mlp-numeric results (~20 MB unpacked) peaks far below that."""
    from grader.reports.html import write_class_report
    from grader.reports.gradebooks import gradebook_chunks
    from grader.io.outputs import write_atomic

    result = ClassResult("class", ResultStore(_mlp_results(catalog, 300)), catalog)
    unpacked = 66 * 1024 * 300

    def write_all():
        write_atomic(tmp_path / "gb.csv", gradebook_chunks(result))
        write_atomic(tmp_path / "r.json", json_chunks(result))
        write_class_report(result, tmp_path / "r.html")

    _, _, peak = _traced(write_all)
    assert peak < unpacked / 4, f"peak {peak / 1e6:.1f} MB"
    assert (tmp_path / "gb.csv").read_text().count("\n") == 301


def test_summary_is_small_and_picklable():
    r = StudentResult("a.yaml", "s1", "Ann", "a@x", "toy")
    s = summarize(r)
    assert isinstance(s, Summary) and pickle.loads(pickle.dumps(s)) == s
    assert s.percent is None and s.plain and not s.graded and not s.rejected


def test_a_plain_results_points_are_read_from_its_summary(sample):
    from grader.result_store import ids_checksum, question_points
    r = next(r for r in sample.students if r.questions and not r.review_text)
    s = summarize(r)
    ids = tuple(q.question for q in r.questions)
    assert dict(question_points(s, ids, ids_checksum(ids))) == {q.question: q.points for q in r.questions}
    swapped = ids[1:2] + ids[:1] + ids[2:]  # the same ids in another order: another checksum
    assert question_points(s, swapped, ids_checksum(swapped)) is None
    odd = replace(r, questions=(replace(r.questions[0], points=1),) + r.questions[1:])  # an int: not plain
    assert summarize(odd).question_points == b"" and question_points(summarize(odd), ids, ids_checksum(ids)) is None


def test_the_gradebook_unpacks_only_results_its_summaries_cannot_stand_for(sample, monkeypatch):
    from grader.reports.gradebooks import gradebook_text
    summaries = sample.students.summaries()
    with monkeypatch.context() as m:  # every result unpacked, as before summaries held the points
        m.setattr("grader.reports.terminal.question_points", lambda *a: None)
        expected = gradebook_text(sample)
    unpacked = []
    real = ResultStore.__getitem__
    monkeypatch.setattr(ResultStore, "__getitem__", lambda self, i: unpacked.append(i) or real(self, i))
    assert gradebook_text(sample) == expected
    needed = sorted(i for i, s in enumerate(summaries) if s.review_ids)  # a TA's text is not in the summary
    assert sorted(unpacked) == needed and len(needed) < sum(s.graded for s in summaries)
