"""``grade serve regrade``: after a rubric change, the dry run lists per student the old and new
points and the questions that moved, storing nothing; applied, each new grading is a new round and
the old one stays (nothing overwritten); the class view and the feedback follow the new round."""
from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from grader.cli import cli
from grader.integrations.grade_one import grade_path
from grader.keys.catalog import Catalog
from tests.conftest import SUBMISSIONS
from tests.service.conftest import bearer, issue, settings_for, wait_graded

pytest.importorskip("starlette")
from starlette.testclient import TestClient  # noqa: E402

from grader.service.app import create_app  # noqa: E402
from grader.service.db import gradings, open_database  # noqa: E402

WRONG = SUBMISSIONS / "s1004_wrong_entries.yaml"
RIGHT = SUBMISSIONS / "s1001_all_correct.yaml"


def _rounds(url):
    with open_database(url).connect() as db:
        return db.execute(select(gradings.c.submission_id, gradings.c.round, gradings.c.points)
                          .order_by(gradings.c.submission_id, gradings.c.round)).all()


def test_regrade_dry_run_then_applied_keeps_history(course, database_url):
    toks = issue(database_url)
    with TestClient(create_app(settings_for(course, database_url, cooldown=0))) as client:
        ids = {}
        for sid_, path in (("s1004", WRONG), ("s1001", RIGHT)):
            r = client.post("/api/v1/submissions", headers=bearer(toks[sid_]),
                            json={"filename": path.name, "text": path.read_text()})
            ids[sid_] = wait_graded(client, toks[sid_], r.json()["id"])["id"]
    assert [(r[1], r[2]) for r in _rounds(database_url)] == [(0, 34.0), (0, 102.0)]
    rubric = course / "rubrics" / "mlp-numeric.yaml"
    rubric.write_text(rubric.read_text().replace('"ex*.z*": {points: 0.5}', '"ex*.z*": {points: 1}'))
    common = ["--course", str(course), "--database", database_url, "--jobs", "1"]

    dry = CliRunner().invoke(cli, ["serve", "regrade", "mlp-numeric", "--dry-run", *common])
    assert dry.exit_code == 0, dry.output
    lines = {line.split()[0]: line for line in dry.output.splitlines() if line.startswith("s10")}
    # every z question is worth 0.5 more, and s1001 answered each correctly
    zs = [q for q in Catalog(root=course).assignment("mlp-numeric").question_ids if re.fullmatch(r"ex.*\.z\d+", q)]
    assert len(zs) == 16 and grade_path(RIGHT, Catalog(root=course), shown_as="x").points == 110.0
    assert lines["s1001"].startswith("s1001  102 -> 110 / 110  ex1a.z1 0.5 -> 1 (correct -> correct); ex1a.z2 0.5 -> 1")
    assert lines["s1001"].count("(correct -> correct)") == 16
    assert "assignment or rubric changed" in lines["s1001"]
    assert lines["s1004"].startswith("s1004  34 -> ")
    assert "2 student(s), 2 would change (dry run: nothing stored)" in dry.output
    assert len(_rounds(database_url)) == 2  # nothing stored

    applied = CliRunner().invoke(cli, ["serve", "regrade", "mlp-numeric", *common])
    assert applied.exit_code == 0 and "2 new grading(s) stored" in applied.output
    rounds = _rounds(database_url)
    assert [(r[0], r[1]) for r in rounds] == [(ids["s1004"], 0), (ids["s1004"], 1), (ids["s1001"], 0), (ids["s1001"], 1)]
    assert rounds[0][2] == 34.0 and rounds[2][2] == 102.0 and rounds[3][2] == 110.0  # the old rounds stay as they were

    with TestClient(create_app(settings_for(course, database_url), grade=False)) as client:
        mine = client.get(f"/api/v1/submissions/{ids['s1001']}", headers=bearer(toks["s1001"])).json()
        latest = client.get("/api/v1/class/mlp-numeric", headers=bearer(toks["prof"])).json()["latest"]
    assert mine["regraded"] is True and mine["result"]["points"] == 110.0
    assert {x["student_id"]: x["points"] for x in latest}["s1001"] == 110.0

    again = CliRunner().invoke(cli, ["serve", "regrade", "mlp-numeric", "--dry-run", *common])
    assert "0 would change" in again.output and "s1001  110 -> 110 / 110  unchanged" in again.output


def test_regrade_of_an_unknown_assignment_is_a_configuration_error(course, tmp_path):
    result = CliRunner().invoke(cli, ["serve", "regrade", "nope", "--course", str(course),
                                      "--database", f"sqlite:///{tmp_path / 'x.sqlite'}"])
    assert result.exit_code == 2 and "unknown assignment" in result.output
