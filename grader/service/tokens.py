"""Who is asking: a token per person, issued from a roster, stored only as its sha256.

A token is 32 random bytes (``secrets.token_urlsafe``), so one unsalted sha256 is enough to keep
the stored hashes useless to whoever reads the database: nothing shorter can be guessed from them.
"""
from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.engine import Engine

from grader.io.roster import Student
from grader.service.db import people, tokens

STUDENT = "student"
INSTRUCTOR = "instructor"
ROLES = (STUDENT, INSTRUCTOR)


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    role: str

    @property
    def instructor(self) -> bool:
        return self.role == INSTRUCTOR


def token_hash(token: str) -> str:
    """What the database keeps of a token.

    >>> token_hash("abc")[:12]
    'ba7816bf8f01'
    """
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def issue_tokens(engine: Engine, students: Iterable[Student], *, role: str = STUDENT) -> list[tuple[Student, str]]:
    """A new token for each of ``students`` (added to the people, or their name and e-mail
    updated); earlier tokens stay valid. Returns each student with the token, shown once."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    issued = []
    with engine.begin() as db:
        for s in students:
            known = db.execute(select(people.c.role).where(people.c.id == s.student_id)).first()
            if known is None:
                db.execute(people.insert().values(id=s.student_id, name=s.name, email=s.email, role=role))
            else:
                db.execute(people.update().where(people.c.id == s.student_id)
                           .values(name=s.name or "", email=s.email or "", role=role))
            token = secrets.token_urlsafe(32)
            db.execute(tokens.insert().values(hash=token_hash(token), person_id=s.student_id, created_at=time.time()))
            issued.append((s, token))
    return issued


def issue_session(engine: Engine, person_id: str, *, seconds: float) -> str:
    """A new token for a known person that expires after ``seconds`` (an LTI launch's session)."""
    token = secrets.token_urlsafe(32)
    now = time.time()
    with engine.begin() as db:
        db.execute(tokens.delete().where(tokens.c.expires_at < now - 24 * 3600))  # sessions ended a day ago
        db.execute(tokens.insert().values(hash=token_hash(token), person_id=person_id, created_at=now,
                                          expires_at=now + seconds))
    return token


def person_for(engine: Engine, token: str | None) -> Person | None:
    """The person a token belongs to (None: no token, one never issued, or a session that expired)."""
    if not token or len(token) > 200:
        return None
    with engine.connect() as db:
        row = db.execute(select(people.c.id, people.c.name, people.c.role).join(tokens, tokens.c.person_id == people.c.id)
                         .where(tokens.c.hash == token_hash(token))
                         .where(or_(tokens.c.expires_at.is_(None), tokens.c.expires_at > time.time()))).first()
    return Person(*row) if row else None


def students(engine: Engine) -> list[Person]:
    """Every student, by id."""
    with engine.connect() as db:
        rows = db.execute(select(people.c.id, people.c.name, people.c.role).where(people.c.role == STUDENT)
                          .order_by(people.c.id)).all()
    return [Person(*r) for r in rows]
