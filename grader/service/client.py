"""``grade check --remote URL --token T``: a file checked (and with ``--submit``, submitted and
its feedback awaited) by a running ``grade serve``, from a terminal or a student's CI, which
then needs no key and no sheet. Standard library only (a student's install stays light)."""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path

from grader.errors import ConfigError, SubmissionError
from grader.shown_text import shown

WAIT_SECONDS = 300.0  # for the feedback of a submission


def call(url: str, token: str, path: str, body: dict | None = None, *, timeout: float = 60.0) -> tuple[int, dict]:
    """(HTTP status, JSON answer) of one API call; a network failure is a ConfigError."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url.rstrip("/") + path, data=data, method="POST" if data else "GET",
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - the user's own server URL
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as e:
        try:
            answer = json.loads(e.read() or b"{}")
        except ValueError:
            answer = {"error": e.reason}
        if e.code == 401:
            raise ConfigError(f"the service refused the token ({url}): {answer.get('error', e.reason)}") from None
        return e.code, answer
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise ConfigError(f"cannot reach the service at {url}: {getattr(e, 'reason', e)}") from None


def _read(path: Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise SubmissionError(f"cannot read the file: {e}", file=shown(str(path)), category="file") from None


def remote_check(url: str, token: str, path: Path) -> list[str]:
    """The problems the service finds in ``path`` as lines (none: well-formed)."""
    status, answer = call(url, token, "/api/v1/check", {"filename": Path(path).name, "text": _read(path)})
    if status != 200:
        return [f"{shown(str(path))}: refused ({status}): {shown(str(answer.get('error', '')))}"]
    return [p["message"] for p in answer["problems"]]


def remote_submit(url: str, token: str, path: Path, *, wait: float = WAIT_SECONDS) -> tuple[bool, list[str]]:
    """Submit ``path`` and wait for its feedback: (accepted and graded, lines to print)."""
    status, answer = call(url, token, "/api/v1/submissions", {"filename": Path(path).name, "text": _read(path)})
    if status != 202:
        return False, [f"{shown(str(path))}: not accepted ({status}): {shown(str(answer.get('error', '')))}"]
    deadline = time.monotonic() + wait
    while True:
        _s, sub = call(url, token, f"/api/v1/submissions/{answer['id']}")
        if sub.get("status") == "graded" and sub.get("result"):
            break
        if time.monotonic() > deadline:
            return False, [f"{shown(str(path))}: attempt {answer['attempt']} accepted, not graded yet: see {url}"]
        time.sleep(1.0)
    r = sub["result"]
    lines = [f"{shown(str(path))}: attempt {answer['attempt']} of {answer['attempts']}: "
             f"{r['points']:g}/{r['max_points']:g} points; {r['status']}"]
    lines += [f"  {q['id']}: {q['message']}" for q in r["questions"] if q["points"] < q["max_points"]]
    return True, lines
