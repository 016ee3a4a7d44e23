"""Sign-ins from an LMS (LTI 1.3) against ``grade serve`` on the loopback address: simulated
browsers each sign in again and again for a fixed time (the platform's login initiation, the
launch with an id_token signed here with RS256, the assignment page the launch leads to), then the
database is audited.

Run from the repository root::

    python bench/bench_lti.py                       # 50 browsers, 30 s, SQLite
    python bench/bench_lti.py --database postgresql+psycopg://postgres@127.0.0.1:5432/bench

Printed: sign-ins per second, p50/p99 latency of each step, errors (any answer but the expected
302/200), and the audit: every launch answered 200 is one row of ``lti_launches`` and one used
state, no state used twice. Bounded: the load stops after ``--seconds``; the server is stopped.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import jwt  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bench.bench_service import pct, start_server  # noqa: E402
from grader.io.roster import Student  # noqa: E402
from grader.service.db import lti_launches, lti_states, open_database  # noqa: E402
from grader.service.tokens import issue_tokens  # noqa: E402
from tests.service.processes import free_port  # noqa: E402

ISSUER, CLIENT, DEPLOYMENT, KID = "https://lms.example.edu", "bench-tool", "bench-deployment", "bench-key"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


def course_with_lti(folder: Path, key) -> Path:
    for part in ("reference", "rubrics"):
        shutil.copytree(ROOT / part, folder / part)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    (folder / "lti").mkdir()
    (folder / "lti" / "keys.json").write_text(json.dumps({"keys": [{**jwk, "kid": KID, "alg": "RS256"}]}))
    (folder / "lti.yaml").write_text(f"platforms:\n  - issuer: {ISSUER}\n    client_id: {CLIENT}\n"
                                     f"    deployment_ids: [{DEPLOYMENT}]\n    auth_url: {ISSUER}/auth\n"
                                     "    jwks_file: lti/keys.json\n    student_id_claim: lis_person_sourcedid\n")
    return folder


class SignIns:
    def __init__(self, base: str, key, seconds: float):
        self.base, self.key, self.seconds = base, key, seconds
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.done = 0
        self.launched = 0  # launches answered 200

    async def step(self, client, kind: str, expected: int, method: str, path: str, **kw):
        t = time.perf_counter()
        try:
            r = await client.request(method, self.base + path, **kw)
        except httpx.HTTPError as e:
            self.errors[f"{kind} {type(e).__name__}"] += 1
            return None
        self.latency[kind].append(time.perf_counter() - t)
        if r.status_code != expected:
            self.errors[f"{kind} {r.status_code}"] += 1
            return None
        return r

    async def browser(self, client, student: str, end: float):
        while time.monotonic() < end:
            r = await self.step(client, "login", 302, "GET", "/lti/login", params={
                "iss": ISSUER, "client_id": CLIENT, "login_hint": student,
                "target_link_uri": f"{self.base}/a/mlp-numeric"})
            if r is None:
                continue
            sent = {k: v[0] for k, v in parse_qs(urlsplit(r.headers["location"]).query).items()}
            state_cookie = r.headers["set-cookie"].split(";", 1)[0]  # Secure: sent by hand over http
            now = int(time.time())
            token = jwt.encode({"iss": ISSUER, "aud": CLIENT, "sub": f"lms-{student}", "iat": now, "exp": now + 300,
                                "nonce": sent["nonce"], CLAIM + "message_type": "LtiResourceLinkRequest",
                                CLAIM + "version": "1.3.0", CLAIM + "deployment_id": DEPLOYMENT,
                                CLAIM + "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
                                CLAIM + "resource_link": {"id": "link"}, CLAIM + "lis": {"person_sourcedid": student},
                                CLAIM + "target_link_uri": f"{self.base}/a/mlp-numeric"},
                               self.key, algorithm="RS256", headers={"kid": KID})
            r = await self.step(client, "launch", 200, "POST", "/lti/launch", headers={"Cookie": state_cookie},
                                data={"state": sent["state"], "id_token": token})
            if r is None:
                continue
            self.launched += 1
            session = re.search(r"grader_token=([^;]+)", r.headers["set-cookie"]).group(1)
            target = re.search(r'content="0;url=([^"]+)"', r.text).group(1)
            if await self.step(client, "page", 200, "GET", target, headers={"Cookie": f"grader_token={session}"}):
                self.done += 1

    async def run(self, students: list[str]):
        end = time.monotonic() + self.seconds
        limits = httpx.Limits(max_connections=len(students), max_keepalive_connections=len(students))
        async with httpx.AsyncClient(timeout=60, limits=limits) as client:
            await asyncio.gather(*(self.browser(client, s, end) for s in students))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--browsers", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--database", default="", help="SQLAlchemy URL (default: a new SQLite file)")
    args = ap.parse_args()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with tempfile.TemporaryDirectory(prefix="bench-lti-") as tmp:
        course = course_with_lti(Path(tmp) / "course", key)
        url = args.database or f"sqlite:///{Path(tmp) / 'lti.sqlite'}"
        students = [f"s{n:04d}" for n in range(args.browsers)]
        engine = open_database(url)
        issue_tokens(engine, [Student(s, f"Student {s}") for s in students])
        port = free_port()
        server = start_server(course, url, port, 1)
        try:
            load = SignIns(f"http://127.0.0.1:{port}", key, args.seconds)
            asyncio.run(load.run(students))
        finally:
            server.terminate()
            server.wait(timeout=60)
        with engine.connect() as db:
            launched = db.execute(select(func.count()).select_from(lti_launches)).scalar()
            used = db.execute(select(func.count()).select_from(lti_states).where(lti_states.c.used_at.isnot(None))).scalar()
        engine.dispose()
    print(f"{args.browsers} browsers, {args.seconds:g} s, {url.split('://')[0]}: "
          f"{load.done / args.seconds:.1f} sign-ins/s ({load.done} signed in and on their page)")
    for kind, xs in load.latency.items():
        print(f"  {kind:7s} p50 {pct(xs, 50) * 1000:7.1f} ms   p99 {pct(xs, 99) * 1000:7.1f} ms   ({len(xs)} requests)")
    print(f"  errors: {dict(load.errors) or 0}")
    print(f"  audit: {launched} launches recorded for {load.launched} launches answered 200; {used} states used"
          f" ({'ok' if launched == load.launched == used else 'MISMATCH'})")


if __name__ == "__main__":
    main()
