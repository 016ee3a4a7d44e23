"""The pages: a student's assignment page (paste or upload, LaTeX preview as they type, check,
submit), their feedback, and the instructor's class page. Every text a student typed goes
through :func:`grader.service.mathml.escaped` (``shown``, then HTML-escaped); every form carries
the CSRF token; the cookie is HttpOnly and SameSite=Strict; the CSP allows no inline script."""
from __future__ import annotations

import html
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from grader.defaults import GRADEBOOK_FORMATS
from grader.reports.html import flags_svg, histogram_svg, question_stats, questions_svg
from grader.results import ClassResult
from grader.service import actions
from grader.service.class_view import class_stats, latest_results
from grader.service.mathml import escaped
from grader.service.queue import GRADED, Refusal
from grader.service.tokens import person_for
from grader.service.web import COOKIE, check_csrf, csrf_token, raw_token, sent_file, set_session_cookie, who

STYLE = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem}
textarea{width:100%;height:16rem;font-family:monospace}#preview{border:1px solid #ccc;padding:.5rem;min-height:2rem;white-space:pre-wrap}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left}
.problem,.refusal{color:#a00}.bar{fill:#4a7ab5}.axis{stroke:#333}.unread{color:#a50}"""
PREVIEW_JS = """const t=document.getElementById('text'),p=document.getElementById('preview');let k=null;
function go(){fetch('/api/v1/render',{method:'POST',headers:{'Content-Type':'application/json'},credentials:'same-origin',
body:JSON.stringify({text:t.value})}).then(r=>r.json()).then(d=>{p.innerHTML=d.html||''})}
if(t&&p){t.addEventListener('input',()=>{clearTimeout(k);k=setTimeout(go,250)});go()}"""


def e(text) -> str:
    return escaped(str(text))


def page(title: str, body: str, *, refresh: bool = False) -> HTMLResponse:
    head = ('<meta http-equiv="refresh" content="2">' if refresh else "")
    return HTMLResponse(f'<!doctype html><html lang="en"><head><meta charset="utf-8">{head}<title>{e(title)}</title>'
                        f'<style>{STYLE}</style></head><body><h1>{e(title)}</h1>{body}'
                        f'<script src="/preview.js"></script></body></html>')


def _person(request: Request):
    return person_for(request.app.state.service.engine, raw_token(request))


def home(request: Request):
    person = _person(request)
    if person is None:
        return page("Sign in", '<form method="post" action="/login"><label>Your token <input name="token" '
                    'type="password" autocomplete="off" required></label> <button id="signin">Sign in</button></form>')
    service = request.app.state.service
    rows = "".join(f'<li><a href="/a/{quote(a["id"])}">{e(a["id"])}</a>: {e(a["title"])} '
                   f'({a["attempts_used"]} of {a["attempts"]} attempts used)'
                   + (f' · <a href="/class/{quote(a["id"])}">class</a>' if person.instructor else "") + "</li>"
                   for a in actions.assignments(service, person))
    lms = ('<p><a href="/lti/launches">Sign-ins from the LMS</a></p>'
           if person.instructor and request.app.state.lti.config.platforms else "")
    return page(f"Signed in as {person.id}", f"<ul>{rows}</ul>{lms}{_logout(request)}")


def _logout(request: Request) -> str:
    return (f'<form method="post" action="/logout"><input type="hidden" name="csrf" value="{csrf_token(request)}">'
            '<button>Sign out</button></form>')


async def login(request: Request):
    form = await request.form()
    token = str(form.get("token", ""))
    if await run_in_threadpool(person_for, request.app.state.service.engine, token) is None:
        return page("Sign in", '<p class="refusal">That token is not valid.</p><p><a href="/">Try again</a></p>')
    response = RedirectResponse("/", status_code=303)
    set_session_cookie(response, request, token, max_age=14 * 24 * 3600)
    return response


async def logout(request: Request):
    check_csrf(request, await request.form())
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE)
    return response


def _assignment(request: Request) -> str:
    a = request.path_params["assignment"]
    if a not in request.app.state.service.catalog.known_ids():
        raise HTTPException(404, "no such assignment")
    return a


def assignment_page(request: Request, *, text: str = "", message: str = "") -> HTMLResponse:
    person = who(request)
    a = _assignment(request)
    service = request.app.state.service
    mine = "".join(f'<tr><td><a href="/s/{s["id"]}">attempt {s["attempt"]}</a></td><td>{e(s["status"])}</td>'
                   f'<td>{_points(s["points"])}</td></tr>'
                   for s in actions.own_submissions(service, person, a))
    body = (f'{message}<form method="post" enctype="multipart/form-data">'
            f'<input type="hidden" name="csrf" value="{csrf_token(request)}">'
            f'<p>Paste your answer file or write-up:</p><textarea id="text" name="text">{html.escape(text)}</textarea>'
            f'<p>Preview (LaTeX rendered):</p><div id="preview"></div>'
            f'<p>or upload a file: <input type="file" name="file"></p>'
            f'<button id="check" formaction="/a/{quote(a)}/check">Check (free)</button> '
            f'<button id="submit" formaction="/a/{quote(a)}/submit">Submit (counts as an attempt)</button></form>'
            f'<h2>Your attempts</h2><table><tr><th>attempt</th><th>status</th><th>points</th></tr>{mine}</table>'
            f'<p><a href="/">All assignments</a></p>')
    return page(f"{a}", body)


def _points(x) -> str:
    return "" if x is None else f"{x:g}"


def show_assignment(request: Request):
    return assignment_page(request)


async def _form_file(request: Request):
    service = request.app.state.service
    person = await run_in_threadpool(who, request)
    filename, text, _a, form = await sent_file(request, service.settings.max_bytes)
    check_csrf(request, form or {})
    return service, person, filename, text


async def check_form(request: Request):
    try:
        service, _person_, filename, text = await _form_file(request)
        out = await run_in_threadpool(actions.check, service, filename, text)
    except Refusal as r:
        return await run_in_threadpool(assignment_page, request, message=f'<p class="refusal">{e(r.message)}</p>')
    lines = "".join(f'<li class="problem"><pre>{e(p["message"])}</pre></li>' for p in out["problems"])
    message = ('<p id="verdict" class="ok">Well-formed: every answer can be read.</p>' if out["well_formed"] else
               f'<p id="verdict" class="problem">{len(out["problems"])} problem(s):</p><ul>{lines}</ul>')
    return await run_in_threadpool(assignment_page, request, text=text, message=message)


async def submit_form(request: Request):
    try:
        service, person, filename, text = await _form_file(request)
        out = await run_in_threadpool(actions.submit, service, person, filename, text,
                                      assignment=request.path_params["assignment"])
    except Refusal as r:
        return await run_in_threadpool(assignment_page, request,
                                       message=f'<p id="verdict" class="refusal">{e(r.message)}</p>')
    return RedirectResponse(f"/s/{out['id']}", status_code=303)


def feedback_page(request: Request):
    person = who(request)
    try:
        sid = int(request.path_params["sid"])
    except ValueError:
        raise HTTPException(404, "no such submission") from None
    s = actions.submission(request.app.state.service, person, sid, with_text=True)
    if s is None:
        raise HTTPException(404, "no such submission")
    title = f"{s['assignment']}, attempt {s['attempt']}"
    if s["status"] != GRADED or s["result"] is None:
        return page(title, f'<p id="status">{e(s["status"])}: this page reloads until it is graded.</p>', refresh=True)
    r = s["result"]
    rows = "".join(f'<tr><td>{e(q["id"])}</td><td>{q["points"]:g}/{q["max_points"]:g}</td><td>{e(q["verdict"])}</td>'
                   f'<td><pre>{e(q["message"])}</pre></td></tr>' for q in r["questions"])
    error = f'<pre class="problem">{e(r["error"])}</pre>' if r["error"] else ""
    body = (f'<p id="points">{r["points"]:g} of {r["max_points"]:g} points</p><p id="status">{e(r["status"])}</p>'
            f'{error}<table><tr><th>question</th><th>points</th><th>verdict</th><th>feedback</th></tr>{rows}</table>'
            f'<h2>What you sent ({e(s["filename"])})</h2><pre>{e(s["text"])}</pre>'
            f'<p><a href="/a/{quote(s["assignment"])}">Back to the assignment</a></p>')
    return page(title, body)


def class_html(request: Request):
    who(request, instructor=True)
    a = _assignment(request)
    service = request.app.state.service
    stats = class_stats(service, a)
    rows = [r for _, _, r in latest_results(service, a)]
    graded = [r for r in rows if r.error is None]
    result = ClassResult(a, rows, service.catalog)
    latest = "".join(f'<tr><td>{e(x["student_id"])}</td><td>{e(x["name"])}</td><td>{x["attempt"]}</td>'
                     f'<td>{x["points"]:g}/{x["max_points"]:g}</td><td>{e(x["status"])}</td>'
                     f'<td>{e(", ".join(x["flags"]))}</td></tr>' for x in stats["latest"])
    missing = ", ".join(e(x["student_id"]) for x in stats["not_submitted"]) or "everyone has submitted"
    by_question = "".join(f'<tr><td>{e(q["id"])}</td><td>{q["percent_of_points"]:.1f} %</td>'
                          f'<td>{e(", ".join(f"{k} ({n})" for k, n in q["misconceptions"].items()))}</td></tr>'
                          for q in stats["questions"])
    downloads = " · ".join(f'<a href="/api/v1/gradebook?format={f}">{f}</a>' for f in GRADEBOOK_FORMATS)
    body = (f'<h2>Scores</h2>{histogram_svg(a, rows)}<h2>Per question</h2>'
            f'{questions_svg(a, question_stats(result, a, graded))}'
            f'<table id="questions"><tr><th>question</th><th>mean score</th><th>misconceptions</th></tr>{by_question}</table>'
            f'<h2>Misconceptions</h2>{flags_svg(a, graded)}'
            f'<h2>Latest attempt per student</h2><table id="latest"><tr><th>student</th><th>name</th><th>attempt</th>'
            f'<th>points</th><th>status</th><th>flags</th></tr>{latest}</table>'
            f'<h2>Not submitted</h2><p id="missing">{missing}</p>'
            f'<h2>Gradebooks</h2><p>{downloads} · <a href="/api/v1/gradebook?format=csv&amp;wide=1">csv (wide)</a></p>')
    return page(f"Class: {a}", body)


def preview_js(request: Request):
    return Response(PREVIEW_JS, media_type="text/javascript")


routes = [
    Route("/", home),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/a/{assignment}", show_assignment),
    Route("/a/{assignment}/check", check_form, methods=["POST"]),
    Route("/a/{assignment}/submit", submit_form, methods=["POST"]),
    Route("/s/{sid}", feedback_page),
    Route("/class/{assignment}", class_html),
    Route("/preview.js", preview_js),
]
