"""bench/make_class.py: a small synthetic class is deterministic, complete, mixed, and grades
without internal errors, its key copies at full marks."""
import importlib.util
import json
from collections import Counter
from pathlib import Path

import pytest

from grader.keys.catalog import Catalog
from grader.results import CORRECT, REVIEW
from grader.batch.orchestrator import grade_folder

ROOT = Path(__file__).resolve().parents[2]
N = 5


def _load():
    spec = importlib.util.spec_from_file_location("make_class", ROOT / "bench" / "make_class.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_class = _load()


def _tree(folder: Path) -> dict:
    """Every answer file's bytes (the manifest holds a timing, compared apart)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != ".manifest.json"}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("class")
    manifest = make_class.generate(N, out, seed=3, salt="test", root=ROOT)
    return out, manifest


def test_deterministic_for_a_seed(generated, tmp_path):
    out, manifest = generated
    again = make_class.generate(N, tmp_path / "again", seed=3, salt="test", root=ROOT)
    assert _tree(tmp_path / "again") == _tree(out)
    assert {k: v for k, v in again.items() if k != "seconds"} == {k: v for k, v in manifest.items() if k != "seconds"}
    other = make_class.generate(N, tmp_path / "other", seed=4, salt="test", root=ROOT)
    assert other["answers"] != manifest["answers"]  # the seed matters
    assert other["profiles"] == manifest["profiles"]  # profiles follow the fixed cycle


def test_one_file_per_student_per_assignment(generated):
    out, manifest = generated
    assert manifest["assignments"] == Catalog(root=ROOT).known_ids()
    for aid in manifest["assignments"]:
        files = [p for p in (out / aid).iterdir()]
        assert len(files) == N
        assert sorted(p.stem for p in files) == [make_class.student_id(i) for i in range(N)]
    assert len(manifest["files"]) == N * len(manifest["assignments"])
    assert json.loads((out / ".manifest.json").read_text())["files"] == manifest["files"]


def test_categories_are_mixed_and_counted(generated):
    _, manifest = generated
    profiles = Counter(manifest["files"].values())
    assert profiles == Counter(manifest["profiles"])
    # the cycle's first 5 x (number of assignments) positions: key copies and a broken file included
    assert profiles == Counter(make_class.CYCLE[:N * len(manifest["assignments"])])
    for category in ("right", "rounded", "misconception", "wrong", "malformed", "hostile", "missing"):
        assert manifest["answers"].get(category, 0) > 0, category
    assert sum(v for k, v in manifest["answers"].items() if k.startswith("broken:")) == profiles["broken"]


def test_grades_without_internal_errors_and_key_copies_score_full_marks(generated):
    out, manifest = generated
    result = grade_folder(out, catalog=Catalog(root=ROOT, salt=manifest["salt"]))
    assert len(result.students) == len(manifest["files"])
    internal = [(r.file, r.error.describe()) for r in result.students
                if r.error is not None and r.error.category == "internal"]
    assert internal == []
    by_file = {r.file: r for r in result.students}
    keys = [f for f, p in manifest["files"].items() if p == "key"]
    assert keys
    for f in keys:
        r = by_file[f]
        assert r.error is None, f
        assert all(q.verdict.outcome in (CORRECT, REVIEW) for q in r.questions), f
        manual = sum(q.max_points for q in r.questions if q.verdict.outcome == REVIEW)
        assert r.points == pytest.approx(r.max_points - manual), f
    broken = [f for f, p in manifest["files"].items() if p == "broken"]
    assert all(by_file[f].error is not None for f in broken)
