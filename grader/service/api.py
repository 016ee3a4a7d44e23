"""The JSON API, version 1 (``/api/v1/...``): everything a page does, for an LMS plugin, a script
or ``grade check --remote``. ``GET /api/v1/schema`` is its OpenAPI description, built from the
docstrings below (each endpoint's YAML after ``---``). Errors are ``{"error": sentence}`` with
the HTTP status (401 no token, 403 not yours to see, 404, 409 no attempts left, 413 too big,
429 too soon, with ``Retry-After``)."""
from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.schemas import SchemaGenerator

from grader.defaults import GRADEBOOK_FORMATS
from grader.service import actions
from grader.service.class_view import class_stats, gradebook
from grader.service.mathml import render as render_latex
from grader.service.queue import Refusal
from grader.service.web import sent_file, who

schemas = SchemaGenerator({"openapi": "3.0.0", "info": {"title": "grade serve", "version": "1"}})


def refused(e: Refusal) -> JSONResponse:
    headers = {"Retry-After": str(max(1, round(e.retry_after)))} if e.retry_after else None
    return JSONResponse({"error": e.message}, status_code=e.status, headers=headers)


def me(request: Request):
    """
    ---
    summary: Who the token belongs to.
    responses: {200: {description: '{"id", "name", "role"}'}}
    """
    p = who(request)
    return JSONResponse({"id": p.id, "name": p.name, "role": p.role})


def assignments(request: Request):
    """
    ---
    summary: The course's assignments, with the attempts the asker used and the limits.
    responses: {200: {description: '[{"id", "title", "attempts_used", "attempts", "cooldown_seconds"}]'}}
    """
    return JSONResponse(actions.assignments(request.app.state.service, who(request)))


async def check(request: Request):
    """
    ---
    summary: Check a file is well-formed (free; never graded, never counted).
    requestBody: {description: 'JSON {"filename", "text"}, or a form with a file upload named "file"'}
    responses: {200: {description: '{"well_formed": bool, "problems": [{"file", "question", "line", "column", "category", "message"}]}'}}
    """
    service = request.app.state.service
    await run_in_threadpool(who, request)
    try:
        filename, text, _a, _f = await sent_file(request, service.settings.max_bytes)
        return JSONResponse(await run_in_threadpool(actions.check, service, filename, text))
    except Refusal as e:
        return refused(e)


async def submit(request: Request):
    """
    ---
    summary: Submit a file (answer file or write-up) for grading; counted against the attempt limit.
    requestBody: {description: 'JSON {"filename", "text", "assignment" (optional: else the file names it)}, or a form'}
    responses:
      202: {description: '{"id", "assignment", "attempt", "attempts", "status": "queued", "url"}'}
      409: {description: no attempts left}
      413: {description: file too big}
      429: {description: within the cool-down (Retry-After says how long)}
    """
    service = request.app.state.service
    person = await run_in_threadpool(who, request)
    try:
        filename, text, assignment, _f = await sent_file(request, service.settings.max_bytes)
        out = await run_in_threadpool(actions.submit, service, person, filename, text, assignment=assignment)
    except Refusal as e:
        return refused(e)
    return JSONResponse(out, status_code=202)


def my_submissions(request: Request):
    """
    ---
    summary: The asker's submissions, newest first.
    responses: {200: {description: '[{"id", "assignment", "attempt", "status", "submitted_at", "points"}]'}}
    """
    return JSONResponse(actions.own_submissions(request.app.state.service, who(request),
                                                request.query_params.get("assignment")))


def one_submission(request: Request):
    """
    ---
    summary: One of the asker's submissions with its feedback (status queued, grading or graded).
    responses:
      200: {description: '{"id", "assignment", "attempt", "status", "result": {"points", "max_points", "status", "questions": [{"id", "points", "verdict", "message"}]}}'}
      404: {description: no such submission of the asker's}
    """
    try:
        sid = int(request.path_params["sid"])
    except ValueError:
        raise HTTPException(404, "no such submission") from None
    out = actions.submission(request.app.state.service, who(request), sid)
    if out is None:
        raise HTTPException(404, "no such submission")
    return JSONResponse(out)


async def render(request: Request):
    """
    ---
    summary: LaTeX in text rendered to MathML ($...$, $$...$$, \\(...\\), \\[...\\]); the rest escaped.
    requestBody: {description: 'JSON {"text"}'}
    responses: {200: {description: '{"html"}'}}
    """
    await run_in_threadpool(who, request)
    try:
        body = await request.json()
    except ValueError:
        return JSONResponse({"error": "the body is not JSON"}, status_code=400)
    text = body.get("text") if isinstance(body, dict) else None
    return JSONResponse({"html": render_latex(text if isinstance(text, str) else "")})


def class_page(request: Request):
    """
    ---
    summary: (instructors) Histogram, per-question difficulty and misconceptions, latest attempt per student, who has not submitted.
    responses: {200: {description: statistics}, 403: {description: not an instructor}}
    """
    service = request.app.state.service
    who(request, instructor=True)
    assignment = request.path_params["assignment"]
    if assignment not in service.catalog.known_ids():
        raise HTTPException(404, "no such assignment")
    return JSONResponse(class_stats(service, assignment))


def gradebook_file(request: Request):
    """
    ---
    summary: (instructors) The gradebook of the latest attempts, ?format=csv|canvas|moodle&wide=1 as `grade FOLDER`.
    responses: {200: {description: text/csv}, 403: {description: not an instructor}}
    """
    who(request, instructor=True)
    fmt = request.query_params.get("format", GRADEBOOK_FORMATS[0])
    if fmt not in GRADEBOOK_FORMATS:
        return JSONResponse({"error": f"format is one of {', '.join(GRADEBOOK_FORMATS)}"}, status_code=400)
    wide = request.query_params.get("wide", "") in ("1", "true", "yes")
    text = gradebook(request.app.state.service, fmt=fmt, wide=wide)
    name = f"gradebook-{fmt}{'-wide' if wide else ''}.csv"
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def schema(request: Request):
    """The OpenAPI description of this API."""
    return schemas.OpenAPIResponse(request=request)


routes = [
    Route("/api/v1/schema", schema, include_in_schema=False),
    Route("/api/v1/me", me),
    Route("/api/v1/assignments", assignments),
    Route("/api/v1/check", check, methods=["POST"]),
    Route("/api/v1/submissions", submit, methods=["POST"]),
    Route("/api/v1/submissions", my_submissions, methods=["GET"]),
    Route("/api/v1/submissions/{sid}", one_submission),
    Route("/api/v1/render", render, methods=["POST"]),
    Route("/api/v1/class/{assignment}", class_page),
    Route("/api/v1/gradebook", gradebook_file),
]
