"""Sign-in from an LMS (LTI 1.3, resource-link launch): the platform vouches for who is asking.

1. ``/lti/login`` (GET or POST; OIDC third-party-initiated login): the platform names itself
   (``iss``, ``client_id``), the person (``login_hint``) and the link (``target_link_uri``, which
   must be on this tool). A one-time state and nonce are stored (:mod:`~grader.service.lti_store`),
   the browser gets a cookie naming the state, and is sent to the platform's ``auth_url``.
2. ``/lti/launch`` (POST ``id_token`` and ``state``, from the platform's page): the state is used
   once and must be this browser's; the id_token is verified (:mod:`~grader.service.lti_verify`);
   the person it names is found on the roster; the launch is recorded and a session opened, the
   same cookie as a token sign-in; the page then goes on to the assignment the link names.

Every refusal is a page with a 4xx (5xx only when the course's own keys cannot be read) saying
what is wrong, everything the platform sent escaped. Cookies: the session cookie stays
SameSite=Strict, so the tool runs in a window of its own, never in the LMS's frame (the CSP's
``frame-ancestors 'none'`` refuses frames anyway: a login started in a frame gets a page that
opens it in a new window, :func:`own_window`); only the short-lived state cookie, which opens
nothing, is SameSite=None (Secure) so that it comes back with the platform's POST.
Instructors see the launches at ``/lti/launches`` and ``GET /api/v1/lti/launches``.
"""
from __future__ import annotations

import html
import time
from urllib.parse import quote, urlencode, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.routing import Route

from grader.service import lti_store
from grader.service.lti_config import LtiConfig
from grader.service.lti_verify import KeyStore, LtiRefusal, launch_of, verify_id_token
from grader.service.pages import e, page
from grader.service.tokens import Person
from grader.service.web import set_session_cookie, who

STATE_COOKIE = "grader_lti_state_"  # + the state: one cookie per sign-in under way (several tabs)
MAX_FIELD = 20_000  # an id_token is a few kB; anything longer is not one


class Lti:
    """What the LTI routes need besides the service: the course's platforms and their keys."""

    def __init__(self, config: LtiConfig):
        self.config = config
        self.keys = KeyStore()


def refusal(r: LtiRefusal) -> HTMLResponse:
    body = (f'<p id="refusal" class="refusal">{e(r.message)}</p><p>Open the link in the LMS again; if this page '
            'comes back, show it to your instructor.</p>')
    response = page("Sign-in from the LMS refused", body)
    response.status_code = r.status
    return response


def _config(request: Request) -> LtiConfig:
    config = request.app.state.lti.config
    if not config.platforms:
        raise LtiRefusal(404, "sign-in from an LMS is not set up for this course (it has no lti.yaml)")
    return config


def _field(params: dict, name: str) -> str:
    value = params.get(name)
    if not isinstance(value, str) or not value.strip():
        raise LtiRefusal(400, f"the request lacks {name}: open the link in the LMS again")
    if len(value) > MAX_FIELD:
        raise LtiRefusal(400, f"the request's {name} is too long")
    return value.strip()


async def _params(request: Request) -> dict:
    if request.method == "GET":
        return dict(request.query_params)
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


async def login(request: Request):
    """OIDC third-party-initiated login: remember a state and nonce, go to the platform."""
    params = await _params(request)
    return await run_in_threadpool(_login, request, params)


def _login(request: Request, params: dict):
    if request.headers.get("sec-fetch-dest") in ("iframe", "frame"):
        return own_window(params)
    try:
        config = _config(request)
        issuer, hint, target = _field(params, "iss"), _field(params, "login_hint"), _field(params, "target_link_uri")
        platform = config.find(issuer, params.get("client_id") or None)
        if platform is None:
            raise LtiRefusal(400, f"no platform with issuer {issuer} and client_id {params.get('client_id') or '(none)'}"
                                  " is set up for this course (lti.yaml)")
        deployment = params.get("lti_deployment_id")
        if deployment and deployment not in platform.deployment_ids:
            raise LtiRefusal(403, f"the deployment {deployment} is not one of this course's (lti.yaml)")
        link = urlsplit(target)
        if link.scheme not in ("http", "https") or link.netloc != request.url.netloc:
            raise LtiRefusal(400, f"the target_link_uri {target} is not on this tool ({request.url.netloc})")
        state, nonce = lti_store.new_state(request.app.state.service.engine, platform)
    except LtiRefusal as r:
        return refusal(r)
    query = {"scope": "openid", "response_type": "id_token", "response_mode": "form_post", "prompt": "none",
             "client_id": platform.client_id, "redirect_uri": f"{link.scheme}://{link.netloc}/lti/launch",
             "login_hint": hint, "state": state, "nonce": nonce}
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"][:MAX_FIELD]
    response = RedirectResponse(platform.auth_url + ("&" if "?" in platform.auth_url else "?") + urlencode(query),
                                status_code=302)
    response.set_cookie(STATE_COOKIE + state, "1", max_age=lti_store.STATE_SECONDS, path="/lti/", httponly=True,
                        secure=True, samesite="none")
    return response


def own_window(params: dict) -> HTMLResponse:
    """The LMS opened the tool in a frame (the browser says so: ``Sec-Fetch-Dest: iframe``): a
    framed page would not get the session cookie (SameSite=Strict) and the tool's pages refuse
    frames, so this page, which any https page may frame, only offers to start the same login
    in a window of its own. It holds no form and opens nothing; no state is stored for it."""
    query = urlencode({k: v[:MAX_FIELD] for k, v in params.items()})
    body = (f'<p>This tool opens in a window of its own.</p><p><a id="open" href="/lti/login?{html.escape(query)}" '
            'target="_blank" rel="noopener">Open it</a></p>')
    return HTMLResponse(f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Open the grader</title>'
                        f'</head><body>{body}</body></html>',
                        headers={"Content-Security-Policy": "default-src 'none'; frame-ancestors https:; "
                                                            "form-action 'none'"})


async def launch(request: Request):
    """The platform's POST of the id_token: verify, map to the roster, open a session."""
    form = await request.form()
    return await run_in_threadpool(_launch, request, {k: v for k, v in form.items() if isinstance(v, str)})


def _launch(request: Request, form: dict):
    service, lti = request.app.state.service, request.app.state.lti
    state = str(form.get("state", ""))[:100]
    try:
        config = _config(request)
        if form.get("error"):
            raise LtiRefusal(400, f"the platform did not sign you in: {form['error'][:200]}: "
                                  f"{form.get('error_description', '')[:500]}")
        state, token = _field(form, "state")[:100], _field(form, "id_token")
        if request.cookies.get(STATE_COOKIE + state) != "1":
            raise LtiRefusal(400, "this browser did not start this sign-in (its state cookie is missing): open the "
                                  "link in the LMS again, set to open in a new window")
        stored = lti_store.use_state(service.engine, state)
        if stored is None:
            raise LtiRefusal(400, "this sign-in's state is unknown, already used or expired: open the link in the "
                                  "LMS again")
        platform = config.find(stored.issuer, stored.client_id)
        if platform is None:
            raise LtiRefusal(400, "the platform that started this sign-in is no longer set up for this course")
        the_launch = launch_of(verify_id_token(token, platform, lti.keys, nonce=stored.nonce), platform)
        if the_launch.assignment and the_launch.assignment not in service.catalog.known_ids():
            raise LtiRefusal(404, f"the LMS link names the assignment {the_launch.assignment}, which this course "
                                  "does not have: ask the instructor to fix the link")
        person = lti_store.roster_person(service.engine, the_launch)
        session = lti_store.open_session(service.engine, person, the_launch)
    except LtiRefusal as r:
        response = refusal(r)
    else:
        response = landing(person, the_launch.assignment)
        set_session_cookie(response, request, session, max_age=int(platform.session_hours * 3600))
    if state:
        response.delete_cookie(STATE_COOKIE + state, path="/lti/", secure=True, samesite="none")
    return response


def landing(person: Person, assignment: str | None) -> HTMLResponse:
    """A page that goes on to where the link leads. Not a redirect: the browser sends a
    SameSite=Strict cookie on a navigation this site's page starts, not on one the LMS's POST started."""
    where = (f"/class/{quote(assignment)}" if person.instructor else f"/a/{quote(assignment)}") if assignment else "/"
    target = html.escape(where)
    return HTMLResponse(f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
                        f'<meta http-equiv="refresh" content="0;url={target}"><title>Signed in</title></head>'
                        f'<body><p id="signed-in">Signed in as {e(person.id)} ({e(person.name)}).</p>'
                        f'<p><a id="continue" href="{target}">Continue</a></p></body></html>')


def launches_page(request: Request):
    who(request, instructor=True)
    rows = "".join(f'<tr><td>{time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(x["at"]))}</td><td>{e(x["person_id"])}'
                   f'</td><td>{e(x["name"])}</td><td>{e(x["role"])}</td><td>{e(x["issuer"])}</td>'
                   f'<td>{e(x["deployment_id"])}</td><td>{e(x["assignment"] or "")}</td></tr>'
                   for x in lti_store.launches(request.app.state.service.engine))
    return page("Sign-ins from the LMS", '<table id="launches"><tr><th>when (UTC)</th><th>student id</th><th>name</th>'
                f'<th>role</th><th>platform</th><th>deployment</th><th>assignment</th></tr>{rows}</table>'
                '<p><a href="/api/v1/lti/launches">as JSON</a> · <a href="/">Home</a></p>')


def launches_api(request: Request):
    """
    ---
    summary: (instructors) The LTI launches that opened a session, newest first.
    responses: {200: {description: '[{"person_id", "name", "role", "issuer", "client_id", "deployment_id", "subject", "roles", "resource_link_id", "assignment", "at"}]'}}
    """
    who(request, instructor=True)
    return JSONResponse(lti_store.launches(request.app.state.service.engine))


routes = [
    Route("/lti/login", login, methods=["GET", "POST"], include_in_schema=False),
    Route("/lti/launch", launch, methods=["POST"], include_in_schema=False),
    Route("/lti/launches", launches_page, include_in_schema=False),
    Route("/api/v1/lti/launches", launches_api),
]
