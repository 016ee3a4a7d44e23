"""The JSON API and the pages on SQLite and PostgreSQL: auth (a student reaches only their own
work, never an instructor's page), the limits (attempts, cool-down, size), check is free, a
submission is graded as ``grade gradescope`` would grade it, never a reference value shown."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from grader.integrations.grade_one import grade_path
from grader.keys.catalog import Catalog
from grader.reports.printed_key import printed_key
from tests.conftest import ROOT, SUBMISSIONS
from tests.service.conftest import bearer, issue, settings_for, wait_graded

pytest.importorskip("starlette")
from starlette.testclient import TestClient  # noqa: E402

from grader.service.app import create_app  # noqa: E402
from grader.service.db import gradings, open_database, submissions, tokens  # noqa: E402

WRONG = SUBMISSIONS / "s1004_wrong_entries.yaml"
MALFORMED = SUBMISSIONS / "s1006_malformed.yaml"


def reference_values() -> set[str]:
    """Every way a key value of mlp-numeric could be printed (4 and 6 significant digits, repr),
    for the values precise enough not to appear by chance (at least 4 significant digits)."""
    numbers = re.findall(r"-?\d+\.\d+(?:e-?\d+)?", printed_key(Catalog(root=ROOT), "mlp-numeric", fmt="json"))
    out = set()
    for n in numbers:
        x = float(n)
        if len(f"{abs(x):.6g}".replace(".", "").lstrip("0")) >= 4:
            out |= {n, f"{x:.6g}", f"{x:.4g}"}
    return out





def post_file(client, token, path: Path, **extra):
    return client.post("/api/v1/submissions", headers=bearer(token),
                       json={"filename": path.name, "text": path.read_text(), **extra})


def test_a_submission_is_graded_as_the_library_grades_it_and_shows_no_reference_value(course, database_url):
    toks = issue(database_url)
    with TestClient(create_app(settings_for(course, database_url, cooldown=0))) as client:
        accepted = post_file(client, toks["s1004"], WRONG)
        assert accepted.status_code == 202 and accepted.json()["attempt"] == 1
        out = wait_graded(client, toks["s1004"], accepted.json()["id"])
        expected = grade_path(WRONG, Catalog(root=course), shown_as=WRONG.name, assignment="mlp-numeric")
        assert out["result"]["points"] == expected.points == 34.0
        assert [(q["id"], q["verdict"], q["points"]) for q in out["result"]["questions"]] == \
            [(q.question, q.verdict.outcome, q.points) for q in expected.questions]
        assert "loss-gradient-sign" in out["result"]["flags"]
        page = client.get(f"/s/{out['id']}", headers=bearer(toks["s1004"])).text
        cls = client.get("/class/mlp-numeric", headers=bearer(toks["prof"])).text
        api_class = client.get("/api/v1/class/mlp-numeric", headers=bearer(toks["prof"])).text
    assert len(reference_values()) > 50  # (the key's values were found)
    shown_to_student = json.dumps(out) + page.split("<h2>What you sent")[0]  # (their own text echoed is theirs)
    leaks = {v for v in reference_values() if v in shown_to_student or v in cls or v in api_class}
    assert leaks == set()


def test_a_write_up_is_graded_as_the_library_grades_it(course, database_url):
    writeup = SUBMISSIONS / "writeups" / "seed000_softmax-ce.md"
    toks = issue(database_url)
    with TestClient(create_app(settings_for(course, database_url, cooldown=0))) as client:
        accepted = post_file(client, toks["s1004"], writeup)
        assert accepted.status_code == 202
        out = wait_graded(client, toks["s1004"], accepted.json()["id"])
    expected = grade_path(writeup, Catalog(root=course), shown_as=writeup.name, assignment="softmax-ce")
    assert out["result"]["points"] == expected.points > 0
    verdicts = {q["id"]: q["verdict"] for q in out["result"]["questions"]}
    assert verdicts["task1.delta_L"] == "correct" and verdicts["task2a.grad_W"] == "wrong shape"


def test_whose_work_it_is_comes_from_the_token_not_the_file(course, database_url):
    toks = issue(database_url)
    claims_ada = WRONG.read_text().replace("id: s1004", "id: s1001")
    with TestClient(create_app(settings_for(course, database_url), grade=False)) as client:
        r = client.post("/api/v1/submissions", headers=bearer(toks["s1004"]),
                        json={"filename": "x.yaml", "text": claims_ada})
        assert r.status_code == 202
    with open_database(database_url).connect() as db:
        assert db.execute(select(submissions.c.person_id)).scalars().all() == ["s1004"]


def test_a_student_reaches_only_their_own_work(course, database_url):
    toks = issue(database_url)
    with TestClient(create_app(settings_for(course, database_url), grade=False)) as client:
        sid = post_file(client, toks["s1004"], WRONG).json()["id"]
        assert client.get(f"/api/v1/submissions/{sid}", headers=bearer(toks["s1004"])).status_code == 200
        assert client.get(f"/api/v1/submissions/{sid}", headers=bearer(toks["s1001"])).status_code == 404
        assert client.get(f"/s/{sid}", headers=bearer(toks["s1001"])).status_code == 404
        assert client.get("/api/v1/submissions", headers=bearer(toks["s1001"])).json() == []
        assert client.get(f"/api/v1/submissions/{sid}", headers=bearer(toks["prof"])).status_code == 200
        for path in ("/api/v1/class/mlp-numeric", "/api/v1/gradebook?format=csv", "/class/mlp-numeric"):
            assert client.get(path, headers=bearer(toks["s1004"])).status_code == 403, path
            assert client.get(path, headers=bearer(toks["prof"])).status_code == 200, path
        for headers in ({}, bearer("not-a-token"), bearer(toks["s1004"] + "x")):
            assert client.get("/api/v1/me", headers=headers).status_code == 401
            assert client.post("/api/v1/submissions", headers=headers, json={"text": "x"}).status_code == 401


def test_tokens_are_stored_hashed(course, database_url):
    toks = issue(database_url)
    with open_database(database_url).connect() as db:
        stored = db.execute(select(tokens.c.hash)).scalars().all()
    assert len(stored) == 4 and not set(stored) & set(toks.values())
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in stored)


@pytest.mark.parametrize("limits, sends, statuses", [
    ({"attempts": 2, "cooldown": 0}, 3, [202, 202, 409]),  # the attempt limit
    ({"attempts": 5, "cooldown": 3600}, 2, [202, 429]),  # the cool-down
])
def test_attempt_limit_and_cooldown(course, tmp_path, limits, sends, statuses):
    url = f"sqlite:///{tmp_path / 'limits.sqlite'}"
    toks = issue(url)
    with TestClient(create_app(settings_for(course, url, **limits), grade=False)) as client:
        got = [post_file(client, toks["s1004"], WRONG) for _ in range(sends)]
        assert [r.status_code for r in got] == statuses
        assert "error" in got[-1].json()
        if statuses[-1] == 429:
            assert 3500 <= int(got[-1].headers["retry-after"]) <= 3600
        assert post_file(client, toks["s1001"], WRONG).status_code == 202  # another student's limits are their own


def test_size_limit_and_unknown_assignment(course, tmp_path):
    url = f"sqlite:///{tmp_path / 'size.sqlite'}"
    toks = issue(url)
    with TestClient(create_app(settings_for(course, url, max_bytes=1024), grade=False)) as client:
        big = "assignment: mlp-numeric\n#" + "x" * 2000
        assert client.post("/api/v1/submissions", headers=bearer(toks["s1001"]),
                           json={"filename": "a.yaml", "text": big}).status_code == 413
        assert client.post("/api/v1/check", headers=bearer(toks["s1001"]),
                           json={"filename": "a.yaml", "text": big}).status_code == 413
        other = client.post("/api/v1/submissions", headers=bearer(toks["s1001"]),
                            json={"filename": "a.yaml", "text": "assignment: not-ours\n"})
        assert other.status_code == 400
        upload = client.post("/api/v1/submissions", headers=bearer(toks["s1001"]),
                             files={"file": ("a.yaml", big.encode())})
        assert upload.status_code == 413
    with open_database(url).connect() as db:
        assert db.execute(select(submissions.c.id)).all() == []


def test_check_is_free_and_names_the_line(course, tmp_path):
    url = f"sqlite:///{tmp_path / 'check.sqlite'}"
    toks = issue(url)
    with TestClient(create_app(settings_for(course, url, attempts=1), grade=False)) as client:
        good = client.post("/api/v1/check", headers=bearer(toks["s1001"]),
                           json={"filename": WRONG.name, "text": WRONG.read_text()}).json()
        bad = client.post("/api/v1/check", headers=bearer(toks["s1001"]),
                          files={"file": (MALFORMED.name, MALFORMED.read_bytes())}).json()
        mine = client.get("/api/v1/assignments", headers=bearer(toks["s1001"])).json()
    assert good == {"well_formed": True, "problems": []}
    assert bad["well_formed"] is False and [(p["file"], p["category"]) for p in bad["problems"]] == \
        [(MALFORMED.name, "yaml")]
    assert bad["problems"][0]["line"] is not None
    assert {a["id"]: a["attempts_used"] for a in mine}["mlp-numeric"] == 0


def test_gradebooks_of_every_format_from_the_database(course, tmp_path):
    url = f"sqlite:///{tmp_path / 'books.sqlite'}"
    toks = issue(url)
    with TestClient(create_app(settings_for(course, url, cooldown=0))) as client:
        wait_graded(client, toks["s1004"], post_file(client, toks["s1004"], WRONG).json()["id"])
        prof = bearer(toks["prof"])
        books = {f: client.get(f"/api/v1/gradebook?format={f}", headers=prof) for f in ("csv", "canvas", "moodle")}
        wide = client.get("/api/v1/gradebook?format=csv&wide=1", headers=prof).text
        assert client.get("/api/v1/gradebook?format=xls", headers=prof).status_code == 400
        stats = client.get("/api/v1/class/mlp-numeric", headers=prof).json()
    assert all(r.status_code == 200 and r.headers["content-type"].startswith("text/csv") for r in books.values())
    canvas = books["canvas"].text.splitlines()
    assert canvas[0] == "Student,ID,SIS User ID,SIS Login ID,Section,mlp-numeric"
    assert canvas[2].endswith(",s1004,,,34.0")
    assert "34.0" in books["moodle"].text.splitlines()[1] and "s1004" in wide
    assert [x["student_id"] for x in stats["latest"]] == ["s1004"]
    assert [x["student_id"] for x in stats["not_submitted"]] == ["s1001", "s1009"]
    assert sum(b["count"] for b in stats["histogram"]) == 1 and stats["histogram"][3]["count"] == 1  # 33.3 %
    assert stats["misconceptions"]["loss-gradient-sign"] == 1
    assert any(q["misconceptions"].get("loss-gradient-sign") for q in stats["questions"])


def test_the_api_describes_itself():
    from grader.service.api import routes, schemas

    paths = schemas.get_schema(routes)["paths"]
    assert {"/api/v1/check", "/api/v1/submissions", "/api/v1/submissions/{sid}", "/api/v1/class/{assignment}",
            "/api/v1/gradebook", "/api/v1/render", "/api/v1/me", "/api/v1/assignments"} <= set(paths)
    assert set(paths["/api/v1/submissions"]) == {"get", "post"}
    assert {"202", "409", "413", "429"} <= {str(k) for k in paths["/api/v1/submissions"]["post"]["responses"]}


def test_a_grading_is_stored_once_with_its_rubric_hash(course, tmp_path):
    url = f"sqlite:///{tmp_path / 'once.sqlite'}"
    toks = issue(url)
    with TestClient(create_app(settings_for(course, url, cooldown=0))) as client:
        sid = post_file(client, toks["s1001"], SUBMISSIONS / "s1001_all_correct.yaml").json()["id"]
        assert wait_graded(client, toks["s1001"], sid)["result"]["points"] == 102.0
    with open_database(url).connect() as db:
        rows = db.execute(select(gradings.c.submission_id, gradings.c.round, gradings.c.rubric_hash)).all()
    assert [(r[0], r[1]) for r in rows] == [(sid, 0)] and re.fullmatch(r"[0-9a-f]{64}", rows[0][2])
