"""The service's tables (SQLAlchemy Core) and the one way to open a database: migrated first.

Nothing is overwritten: a submission row keeps the text as sent; each grading of it is a row of
its own (``round`` 0 the first, then one per regrade) holding the result, the points and the hash
of the assignment and rubric that graded it. ``UNIQUE(submission_id, round)`` is what makes a
submission impossible to grade twice, even by two replicas or a worker that came back.
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import (Column, Float, ForeignKey, Integer, LargeBinary, MetaData, String, Table, Text,
                        UniqueConstraint, create_engine, event)
from sqlalchemy.engine import Engine

metadata = MetaData()

people = Table(
    "people", metadata,
    Column("id", String(64), primary_key=True),  # the roster's student id
    Column("name", String(200), nullable=False, default=""),
    Column("email", String(200), nullable=False, default=""),
    Column("role", String(16), nullable=False),  # "student" or "instructor"
)

tokens = Table(
    "tokens", metadata,
    Column("hash", String(64), primary_key=True),  # sha256 of the token: the token itself is never stored
    Column("person_id", String(64), ForeignKey("people.id"), nullable=False, index=True),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float),  # None: a roster token (valid until revoked); set: an LTI launch's session
)

submissions = Table(
    "submissions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_id", String(64), ForeignKey("people.id"), nullable=False, index=True),
    Column("assignment", String(200), nullable=False, index=True),
    Column("attempt", Integer, nullable=False),  # 1, 2, ... per person and assignment
    Column("filename", String(200), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("status", String(16), nullable=False, index=True),  # queued, grading, graded
    Column("claimed_by", String(64)),
    Column("claimed_at", Float),
    UniqueConstraint("person_id", "assignment", "attempt", name="one_attempt_number"),
)

gradings = Table(
    "gradings", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("submission_id", Integer, ForeignKey("submissions.id"), nullable=False, index=True),
    Column("round", Integer, nullable=False),  # 0: on submission; 1, 2, ...: regrades
    Column("rubric_hash", String(64), nullable=False),
    Column("points", Float, nullable=False),
    Column("max_points", Float, nullable=False),
    Column("result_json", Text, nullable=False),  # what the student sees (grading.student_view)
    Column("result_blob", LargeBinary, nullable=False),  # the whole StudentResult (result_store.pack)
    Column("reason", String(200), nullable=False),
    Column("created_at", Float, nullable=False),
    UniqueConstraint("submission_id", "round", name="one_grading_per_round"),
)

# LTI 1.3 sign-in (grader.service.lti): the one-time state and nonce of each login, kept here
# rather than in a cookie so any replica can finish a sign-in another started; and every launch
# that opened a session (who, which platform, when), for the instructors' audit.
lti_states = Table(
    "lti_states", metadata,
    Column("state", String(64), primary_key=True),
    Column("nonce", String(64), nullable=False),
    Column("issuer", String(500), nullable=False),
    Column("client_id", String(200), nullable=False),
    Column("created_at", Float, nullable=False, index=True),
    Column("used_at", Float),  # set once, by the launch that uses it: a second launch finds it used
)

lti_launches = Table(
    "lti_launches", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_id", String(64), ForeignKey("people.id"), nullable=False, index=True),
    Column("issuer", String(500), nullable=False),
    Column("client_id", String(200), nullable=False),
    Column("deployment_id", String(200), nullable=False),
    Column("subject", String(255), nullable=False),  # the platform's sub
    Column("role", String(16), nullable=False),
    Column("roles", Text, nullable=False),  # the LTI roles as sent (JSON)
    Column("resource_link_id", String(255), nullable=False),
    Column("assignment", String(200)),
    Column("created_at", Float, nullable=False),
)

MIGRATIONS = Path(__file__).parent / "migrations"


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for the grader's writes
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def open_database(url: str, *, migrate: bool = True) -> Engine:
    """An engine on ``url`` with the schema brought up to date by Alembic (``migrate``)."""
    sqlite = url.startswith("sqlite")
    # as many connections as request threads (anyio's 40) may want at once, or a request waits on the pool
    engine = create_engine(url, future=True, pool_pre_ping=not sqlite, pool_size=20, max_overflow=30,
                           **({"connect_args": {"timeout": 30, "check_same_thread": False}} if sqlite else {}))
    if sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
    if migrate:
        upgrade(engine)
    return engine


def upgrade(engine: Engine) -> None:
    """Run every Alembic migration not yet applied (the first run creates the tables)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
