"""Fixtures of the service's tests: a course folder, a database on SQLite and on PostgreSQL
($GRADER_TEST_POSTGRES: an admin URL such as postgresql+psycopg://postgres@127.0.0.1:5432/postgres,
which `.ci/run` sets after starting a server; without it those cases skip, saying so), tokens,
and a running app (Starlette's TestClient, or uvicorn on a free port of 127.0.0.1)."""
from __future__ import annotations

import os
import threading
import time
import uuid
from pathlib import Path

import pytest

from grader.io.roster import Student
from tests.conftest import ROOT
from tests.service.processes import free_port

POSTGRES = os.environ.get("GRADER_TEST_POSTGRES", "")
STUDENTS = [Student("s1001", "Ada Lovelace"), Student("s1004", 'Grace <script>alert("x")</script>'),
            Student("s1009", "Nobody Yet")]


@pytest.fixture
def course(tmp_path) -> Path:
    """A course folder holding the sample course's assignments and rubrics (copies: a test may edit them)."""
    import shutil

    folder = tmp_path / "course"
    for part in ("reference", "rubrics"):
        shutil.copytree(ROOT / part, folder / part)
    return folder


def _postgres_database():
    """A fresh database on the PostgreSQL server of $GRADER_TEST_POSTGRES; dropped afterwards."""
    if not POSTGRES:
        pytest.skip("no PostgreSQL server: set GRADER_TEST_POSTGRES (as .ci/run does) to test on one")
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    name = f"grader_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as db:
            db.execute(text(f"CREATE DATABASE {name}"))
    except OperationalError as e:
        pytest.skip(f"PostgreSQL at $GRADER_TEST_POSTGRES is not reachable: {e.orig}")
    base = POSTGRES.rsplit("/", 1)[0]
    return f"{base}/{name}", admin, name


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A new, empty database: an SQLite file, or a PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'service.sqlite'}"
        return
    url, admin, name = _postgres_database()
    yield url
    from sqlalchemy import text

    from grader.service.db import open_database
    open_database(url, migrate=False).dispose()
    with admin.connect() as db:
        db.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def settings_for(course: Path, url: str, **more):
    from grader.service.settings import ServiceSettings
    return ServiceSettings(course=course, database_url=url, **more)


def issue(url: str) -> dict[str, str]:
    """A token each for the three students and for the instructor ``prof``."""
    from grader.service.db import open_database
    from grader.service.tokens import INSTRUCTOR, issue_tokens

    engine = open_database(url)
    tokens = {s.student_id: t for s, t in issue_tokens(engine, STUDENTS)}
    tokens.update({s.student_id: t for s, t in issue_tokens(engine, [Student("prof", "Prof")], role=INSTRUCTOR)})
    engine.dispose()
    return tokens


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def wait_graded(client, token: str, sid: int, *, seconds: float = 120.0) -> dict:
    """The submission once graded (fails after ``seconds``: grading never finished)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        out = client.get(f"/api/v1/submissions/{sid}", headers=bearer(token)).json()
        if out["status"] == "graded":
            return out
        time.sleep(0.2)
    pytest.fail(f"submission {sid} not graded within {seconds} s")


class LiveServer:
    """The app under uvicorn in a thread, on a free port of 127.0.0.1 (for the browser and
    ``grade check --remote``)."""

    def __init__(self, app):
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline:
                pytest.fail("uvicorn did not start within 30 s")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=30)
