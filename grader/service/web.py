"""What the API and the pages share: who is asking (a bearer token, or the page's cookie), the
CSRF token of a form, and reading a sent file from JSON, a form or an upload."""
from __future__ import annotations

import hashlib
import hmac

from starlette.exceptions import HTTPException
from starlette.requests import Request

from grader.service.queue import Refusal
from grader.service.tokens import Person, person_for

COOKIE = "grader_token"


def raw_token(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.cookies.get(COOKIE)


def who(request: Request, *, instructor: bool = False) -> Person:
    """The person behind the request; 401 without a valid token, 403 for a student on an
    instructor's page."""
    person = person_for(request.app.state.service.engine, raw_token(request))
    if person is None:
        raise HTTPException(401, "a valid token is needed (Authorization: Bearer TOKEN)")
    if instructor and not person.instructor:
        raise HTTPException(403, "instructors only")
    return person


def set_session_cookie(response, request: Request, token: str, *, max_age: int) -> None:
    """The session cookie of a token sign-in and of an LTI launch alike: HttpOnly, SameSite=Strict
    (never sent by another site's page or frame), Secure over https."""
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=request.url.scheme == "https",
                        max_age=max_age)


def csrf_token(request: Request) -> str:
    """The value every form of this session carries: derived from the cookie's token, which a
    page of another site can neither read nor send (SameSite=Strict)."""
    token = request.cookies.get(COOKIE, "")
    return hmac.new(token.encode(), b"grader-csrf", hashlib.sha256).hexdigest()


def check_csrf(request: Request, form) -> None:
    if not request.cookies.get(COOKIE) or not hmac.compare_digest(str(form.get("csrf", "")), csrf_token(request)):
        raise HTTPException(403, "the form is stale or not ours (CSRF check): reload the page")


async def sent_file(request: Request, max_bytes: int) -> tuple[str, str, str | None, object]:
    """(file name, text, assignment if given, the form or None) from a JSON body
    ``{"filename", "text", "assignment"}``, a form's ``text``/``filename`` fields or a ``file`` upload."""
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > 4 * max_bytes + 65536:
        raise Refusal(413, f"the request is {length} bytes: at most {max_bytes} bytes of file are accepted")
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            body = await request.json()
        except ValueError:
            raise Refusal(400, "the body is not JSON") from None
        if not isinstance(body, dict) or not isinstance(body.get("text"), str):
            raise Refusal(400, 'send {"filename": ..., "text": ...}')
        return str(body.get("filename") or "answers.yaml"), body["text"], body.get("assignment"), None
    form = await request.form(max_part_size=4 * max_bytes)
    upload = form.get("file")
    if upload is not None and hasattr(upload, "read") and upload.filename:
        data = await upload.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise Refusal(413, f"the file is over {max_bytes} bytes")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise Refusal(400, "the file is not UTF-8 text") from None
        return upload.filename, text, form.get("assignment"), form
    return str(form.get("filename") or "answers.yaml"), str(form.get("text") or ""), form.get("assignment"), form
