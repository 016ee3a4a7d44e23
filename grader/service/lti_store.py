"""What an LTI sign-in keeps in the database: the one-time state and nonce of a login (any
replica can finish a sign-in another started), the roster person a launch names, and the
launches that opened a session (the instructors' audit). Submissions are not touched: a
session opened by a launch is a token of the roster person, so their work stays theirs."""
from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from grader.io.roster import MAX_ID, VALID_ID
from grader.service.db import lti_launches, lti_states, people
from grader.service.lti_config import Platform
from grader.service.lti_verify import Launch, LtiRefusal
from grader.service.tokens import STUDENT, Person, issue_session

STATE_SECONDS = 600  # between the login and the launch: the platform's sign-in page in between
FORGET_SECONDS = 24 * 3600  # states older than this are deleted at the next login


@dataclass(frozen=True)
class State:
    nonce: str
    issuer: str
    client_id: str


def new_state(engine: Engine, platform: Platform) -> tuple[str, str]:
    """A fresh (state, nonce) for a login to ``platform``, stored until its launch uses it."""
    state, nonce, now = secrets.token_urlsafe(32), secrets.token_urlsafe(32), time.time()
    with engine.begin() as db:
        db.execute(lti_states.delete().where(lti_states.c.created_at < now - FORGET_SECONDS))
        db.execute(lti_states.insert().values(state=state, nonce=nonce, issuer=platform.issuer,
                                              client_id=platform.client_id, created_at=now))
    return state, nonce


def use_state(engine: Engine, state: str) -> State | None:
    """The login ``state`` started, marked used by one atomic update (so of two launches with it,
    even on two replicas, one only gets it); None when unknown, used or older than STATE_SECONDS."""
    now = time.time()
    with engine.begin() as db:
        taken = db.execute(lti_states.update()
                           .where(lti_states.c.state == state, lti_states.c.used_at.is_(None),
                                  lti_states.c.created_at >= now - STATE_SECONDS)
                           .values(used_at=now)).rowcount
        if taken != 1:
            return None
        row = db.execute(select(lti_states.c.nonce, lti_states.c.issuer, lti_states.c.client_id)
                         .where(lti_states.c.state == state)).first()
    return State(*row)


def roster_person(engine: Engine, launch: Launch) -> Person:
    """The roster's person the launch names (its identity claim against the roster's id or
    e-mail), with the role the LMS gives them; LtiRefusal when there is none or the roles disagree.
    A learner not on the roster is added as a student when the platform says ``not_on_roster: add``."""
    platform, who = launch.platform, launch.identity
    if who is None:
        raise LtiRefusal(400, f"the launch does not say who you are: it lacks the {platform.student_id_claim} "
                              "claim this course reads (lti.yaml's student_id_claim)")
    if launch.role is None:
        raise LtiRefusal(403, "the LMS gives you no role this tool knows (Learner, or Instructor, TeachingAssistant, "
                              "Administrator, ContentDeveloper)")
    column = people.c.id if platform.match == "id" else func.lower(people.c.email)
    wanted = who if platform.match == "id" else who.lower()
    with engine.connect() as db:
        rows = db.execute(select(people.c.id, people.c.name, people.c.role).where(column == wanted).limit(2)).all()
    if len(rows) > 1:
        raise LtiRefusal(409, f"several people of this course's roster have the e-mail {who}: ask the instructor")
    if not rows:
        rows = [_added(engine, launch)]
    person = Person(*rows[0])
    if person.role != launch.role:
        raise LtiRefusal(403, f"the LMS signs you in as {launch.role}, but this course lists {person.id} as "
                              f"{person.role}: ask the instructor")
    return person


def _added(engine: Engine, launch: Launch) -> tuple[str, str, str]:
    who, platform = launch.identity, launch.platform
    if platform.not_on_roster != "add" or launch.role != STUDENT:
        raise LtiRefusal(403, f"{who} is not on this course's roster: ask the instructor to add you "
                              "(grade serve tokens --roster, or --instructor for an instructor)")
    if len(who) > MAX_ID or not VALID_ID.fullmatch(who):
        raise LtiRefusal(403, f"{who} cannot be a student id of this course (letters, digits, . _ -): ask the instructor")
    try:
        with engine.begin() as db:
            db.execute(people.insert().values(id=who, name=launch.name[:200], email=launch.email[:200], role=STUDENT))
    except IntegrityError:  # added by a launch of theirs a moment ago
        pass
    with engine.connect() as db:
        return tuple(db.execute(select(people.c.id, people.c.name, people.c.role).where(people.c.id == who)).one())


def open_session(engine: Engine, person: Person, launch: Launch) -> str:
    """Record the launch (who, which platform and deployment, when) and return the token of a
    session for ``person`` that lasts the platform's ``session_hours``."""
    p = launch.platform
    with engine.begin() as db:
        db.execute(lti_launches.insert().values(
            person_id=person.id, issuer=p.issuer, client_id=p.client_id, deployment_id=launch.deployment_id[:200],
            subject=launch.subject[:255], role=person.role, roles=json.dumps(list(launch.roles))[:10_000],
            resource_link_id=launch.resource_link_id[:255],
            assignment=launch.assignment[:200] if launch.assignment else None, created_at=time.time()))
    return issue_session(engine, person.id, seconds=p.session_hours * 3600)


def launches(engine: Engine, *, limit: int = 1000) -> list[dict]:
    """The latest launches that opened a session, newest first, with the person's name."""
    query = (select(lti_launches, people.c.name).join(people, people.c.id == lti_launches.c.person_id)
             .order_by(lti_launches.c.id.desc()).limit(limit))
    with engine.connect() as db:
        rows = db.execute(query).mappings().all()
    return [{"person_id": r["person_id"], "name": r["name"], "role": r["role"], "issuer": r["issuer"],
             "client_id": r["client_id"], "deployment_id": r["deployment_id"], "subject": r["subject"],
             "roles": json.loads(r["roles"]), "resource_link_id": r["resource_link_id"],
             "assignment": r["assignment"], "at": r["created_at"]} for r in rows]
