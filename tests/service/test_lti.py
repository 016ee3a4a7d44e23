"""Sign-in from an LMS (LTI 1.3): a fake platform in the test (an RSA key made here, its JWKS in
the course folder, id_tokens signed here) logs people in through ``/lti/login`` and ``/lti/launch``.
A learner's launch opens the session of that roster student (their submissions are theirs), an
instructor's reaches the class page; every forged, stale, replayed or misdirected launch is a
refusal page with its 4xx and no session; what the platform sent is escaped; each launch that
opened a session is in the audit. On SQLite and on PostgreSQL (``database_url``)."""
from __future__ import annotations

import json
import re
import time
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from tests.conftest import SUBMISSIONS
from tests.service.conftest import bearer, issue, settings_for

pytest.importorskip("starlette")
jwt = pytest.importorskip("jwt")
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from grader.service.app import create_app  # noqa: E402
from grader.service.db import submissions  # noqa: E402
from grader.service.lti import STATE_COOKIE  # noqa: E402

ISSUER = "https://lms.example.edu"
CLIENT = "tool-42"
DEPLOYMENT = "deploy-1"
KID = "platform-key-1"
HOST = "https://testserver"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)

CONFIG = f"""platforms:
  - issuer: {ISSUER}
    client_id: {CLIENT}
    deployment_ids: [{DEPLOYMENT}]
    auth_url: {ISSUER}/oidc/auth?tenant=7
    jwks_file: lti/keys.json
    student_id_claim: lis_person_sourcedid
"""


def jwks(*pairs) -> dict:
    keys = []
    for kid, key in pairs:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
        keys.append({**jwk, "kid": kid, "alg": "RS256", "use": "sig"})
    return {"keys": keys}


@pytest.fixture
def lti_course(course):
    (course / "lti").mkdir()
    (course / "lti" / "keys.json").write_text(json.dumps(jwks((KID, KEY))))
    (course / "lti.yaml").write_text(CONFIG)
    return course


@pytest.fixture
def app_and_tokens(lti_course, database_url):
    tokens = issue(database_url)
    app = create_app(settings_for(lti_course, database_url, cooldown=0), grade=False)
    yield app, tokens
    app.state.service.engine.dispose()


@pytest.fixture
def client(app_and_tokens):
    with TestClient(app_and_tokens[0], base_url=HOST) as c:
        yield c


def login(client, **more) -> dict:
    """The platform's login initiation; returns the query the tool sends to the platform."""
    params = {"iss": ISSUER, "login_hint": "opaque-hint", "target_link_uri": f"{HOST}/a/mlp-numeric",
              "client_id": CLIENT, "lti_message_hint": "msg-7", **more}
    r = client.get("/lti/login", params=params, follow_redirects=False)
    assert r.status_code == 302, r.text
    to = urlsplit(r.headers["location"])
    assert f"{to.scheme}://{to.netloc}{to.path}" == f"{ISSUER}/oidc/auth"
    return {k: v[0] for k, v in parse_qs(to.query).items()}


def claims_for(nonce: str, *, person="s1001", roles=(MEMBERSHIP + "Learner",), **more) -> dict:
    now = int(time.time())
    out = {"iss": ISSUER, "aud": CLIENT, "sub": f"lms-user-{person}", "iat": now, "exp": now + 300, "nonce": nonce,
           "name": "A Name", CLAIM + "message_type": "LtiResourceLinkRequest", CLAIM + "version": "1.3.0",
           CLAIM + "deployment_id": DEPLOYMENT, CLAIM + "roles": list(roles),
           CLAIM + "resource_link": {"id": "link-1"}, CLAIM + "target_link_uri": f"{HOST}/a/mlp-numeric",
           CLAIM + "lis": {"person_sourcedid": person}}
    out.update(more)
    return {k: v for k, v in out.items() if v is not None}


def signed(claims: dict, *, key=KEY, kid=KID, alg="RS256") -> str:
    return jwt.encode(claims, key, algorithm=alg, headers={"kid": kid} if kid else None)


def launch(client, state: str, token: str):
    return client.post("/lti/launch", data={"state": state, "id_token": token}, follow_redirects=False)


def signed_in_by_lti(client, **claims) -> str:
    """A full sign-in; returns the landing page's target."""
    sent = login(client)
    r = launch(client, sent["state"], signed(claims_for(sent["nonce"], **claims)))
    assert r.status_code == 200, r.text
    return re.search(r'content="0;url=([^"]+)"', r.text).group(1)


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]{64})"', page).group(1)


def test_login_stores_a_state_and_sends_the_browser_to_the_platform(client):
    sent = login(client)
    assert {k: sent[k] for k in ("scope", "response_type", "response_mode", "prompt", "client_id", "redirect_uri",
                                 "login_hint", "lti_message_hint", "tenant")} == {
        "scope": "openid", "response_type": "id_token", "response_mode": "form_post", "prompt": "none",
        "client_id": CLIENT, "redirect_uri": f"{HOST}/lti/launch", "login_hint": "opaque-hint",
        "lti_message_hint": "msg-7", "tenant": "7"}
    assert len(sent["state"]) >= 40 and len(sent["nonce"]) >= 40 and sent["state"] != sent["nonce"]
    again = login(client)
    assert again["state"] != sent["state"] and again["nonce"] != sent["nonce"]
    posted = client.post("/lti/login", data={"iss": ISSUER, "login_hint": "h", "target_link_uri": f"{HOST}/"},
                         follow_redirects=False)  # POST too; client_id may be left out (one registration)
    assert posted.status_code == 302
    cookie = posted.headers["set-cookie"].lower()
    assert cookie.startswith(STATE_COOKIE.lower()) and "samesite=none" in cookie and "secure" in cookie
    assert "httponly" in cookie and "path=/lti/" in cookie


@pytest.mark.parametrize("params, status, says", [
    ({"iss": "https://evil.example"}, 400, "no platform with issuer https://evil.example"),
    ({"client_id": "someone-else"}, 400, "client_id someone-else"),
    ({"target_link_uri": "https://evil.example/a/mlp-numeric"}, 400, "is not on this tool (testserver)"),
    ({"lti_deployment_id": "deploy-9"}, 403, "the deployment deploy-9 is not one of this course"),
    ({"login_hint": ""}, 400, "the request lacks login_hint"),
])
def test_login_refusals(client, params, status, says):
    base = {"iss": ISSUER, "login_hint": "h", "target_link_uri": f"{HOST}/a/mlp-numeric", "client_id": CLIENT}
    r = client.get("/lti/login", params={**base, **params}, follow_redirects=False)
    assert r.status_code == status and says in r.text and "location" not in r.headers


def test_a_learner_launch_signs_in_as_that_roster_student_and_submits_as_them(client, app_and_tokens):
    app, tokens = app_and_tokens
    other = client.post("/api/v1/submissions", headers=bearer(tokens["s1004"]),
                        json={"filename": "a.yaml", "text": (SUBMISSIONS / "s1004_wrong_entries.yaml").read_text()})
    assert other.status_code == 202
    sent = login(client)
    before = time.time()
    r = launch(client, sent["state"], signed(claims_for(sent["nonce"])))
    after = time.time()
    assert r.status_code == 200 and 'id="signed-in">Signed in as s1001 (Ada Lovelace)' in r.text
    assert re.search(r'content="0;url=/a/mlp-numeric"', r.text)
    session = r.headers.get_list("set-cookie")
    ours = [c.lower() for c in session if c.startswith("grader_token=")]
    assert len(ours) == 1 and "httponly" in ours[0] and "samesite=strict" in ours[0] and "secure" in ours[0]
    assert "max-age=28800" in ours[0]  # session_hours' default, 8
    assert client.get("/api/v1/me").json() == {"id": "s1001", "name": "Ada Lovelace", "role": "student"}
    assert "/lti/launches" not in client.get("/").text
    page = client.get("/a/mlp-numeric")
    assert page.status_code == 200
    text = (SUBMISSIONS / "s1004_wrong_entries.yaml").read_text()  # a file naming s1004: still s1001's
    sent = client.post("/a/mlp-numeric/submit", data={"text": text, "csrf": csrf_of(page.text)},
                       follow_redirects=False)
    assert sent.status_code == 303
    mine = int(sent.headers["location"].rsplit("/", 1)[1])
    with app.state.service.engine.connect() as db:
        owners = dict(db.execute(select(submissions.c.id, submissions.c.person_id)).all())
    assert owners == {other.json()["id"]: "s1004", mine: "s1001"}
    assert client.get(f"/s/{mine}").status_code == 200
    assert client.get(f"/s/{other.json()['id']}").status_code == 404  # another student's: not found
    assert client.get("/class/mlp-numeric").status_code == 403
    assert client.get("/api/v1/lti/launches").status_code == 403
    audit = client.get("/api/v1/lti/launches", headers=bearer(tokens["prof"])).json()
    assert [(a["person_id"], a["role"], a["issuer"], a["client_id"], a["deployment_id"], a["subject"],
             a["assignment"], a["resource_link_id"]) for a in audit] == [
        ("s1001", "student", ISSUER, CLIENT, DEPLOYMENT, "lms-user-s1001", "mlp-numeric", "link-1")]
    assert audit[0]["roles"] == [MEMBERSHIP + "Learner"] and before <= audit[0]["at"] <= after


@pytest.mark.parametrize("role", ["Instructor", "Administrator", "ContentDeveloper"])
def test_an_instructor_launch_reaches_the_class_page(client, role):
    target = signed_in_by_lti(client, person="prof", roles=(MEMBERSHIP + role, MEMBERSHIP + "Learner"))
    assert target == "/class/mlp-numeric"
    assert client.get(target).status_code == 200
    assert client.get("/api/v1/me").json()["role"] == "instructor"
    assert '<a href="/lti/launches">' in client.get("/").text
    assert "/api/v1/lti/launches" in client.get("/api/v1/schema").text
    audit = client.get("/lti/launches")
    assert audit.status_code == 200 and "<td>prof</td>" in audit.text and ISSUER in audit.text


def test_the_assignment_comes_from_a_custom_parameter_else_home(client):
    assert signed_in_by_lti(client, **{CLAIM + "custom": {"assignment": "softmax-ce"}}) == "/a/softmax-ce"
    assert signed_in_by_lti(client, **{CLAIM + "target_link_uri": f"{HOST}/"}) == "/"


def refused_without_a_session(r, status: int, says: str, client):
    assert r.status_code == status, (r.status_code, r.text)
    assert 'id="refusal"' in r.text and says in r.text, r.text
    assert not [c for c in r.headers.get_list("set-cookie") if c.startswith("grader_token=")]
    assert client.get("/api/v1/me").status_code == 401


NOW = int(time.time())
# (what the forged launch changes, its status, what the page says)
TOKEN_CASES = {
    "bad signature": ({"key": OTHER_KEY}, 401, "signature does not verify with the platform&#x27;s key"),
    "unknown kid": ({"kid": "no-such-key"}, 401, "a key (kid) the platform does not publish"),
    "no kid": ({"kid": None}, 401, "names no key (kid)"),
    "HS256": ({"alg": "HS256", "key": "a-shared-secret-that-is-long-enough-32b"}, 401, "not signed with RS256"),
    "wrong aud": ({"aud": "another-tool"}, 401, "not meant for this tool (its aud"),
    "aud list without azp": ({"aud": [CLIENT, "another-tool"]}, 401, "its azp is not the client_id"),
    "wrong azp": ({"aud": [CLIENT, "x"], "azp": "x"}, 401, "its azp is not the client_id"),
    "wrong iss": ({"iss": "https://evil.example"}, 401, "not issued by the platform that started the sign-in"),
    "expired": ({"exp": NOW - 3600, "iat": NOW - 7200}, 401, "the sign-in has expired"),
    "issued in the future": ({"iat": NOW + 3600, "exp": NOW + 7200}, 401, "dated in the future"),
    "no exp": ({"exp": None}, 401, "lacks a required claim"),
    "nonce of another sign-in": ({"nonce": "not-the-one"}, 401, "nonce is not the one this sign-in issued"),
    "unknown deployment": ({CLAIM + "deployment_id": "deploy-9"}, 403, "deployment deploy-9 is not one of"),
    "not on roster": ({CLAIM + "lis": {"person_sourcedid": "s7777"}}, 403, "s7777 is not on this course&#x27;s roster"),
    "no identity claim": ({CLAIM + "lis": None}, 400, "lacks the lis_person_sourcedid claim"),
    "deep linking": ({CLAIM + "message_type": "LtiDeepLinkingRequest"}, 400, "not LtiDeepLinkingRequest"),
    "LTI 1.1": ({CLAIM + "version": "1.1"}, 400, "speaks LTI 1.3.0, not 1.1"),
    "no known role": ({CLAIM + "roles": [MEMBERSHIP + "Mentor"]}, 403, "no role this tool knows"),
    "student as instructor": ({CLAIM + "roles": [MEMBERSHIP + "Instructor"]}, 403,
                              "signs you in as instructor, but this course lists s1001 as student"),
    "unknown assignment": ({CLAIM + "custom": {"assignment": "nope"}}, 404, "names the assignment nope"),
    "no resource link": ({CLAIM + "resource_link": None}, 400, "names no resource link"),
}


@pytest.mark.parametrize("case", TOKEN_CASES)
def test_a_forged_or_wrong_launch_is_refused(client, case):
    change, status, says = TOKEN_CASES[case]
    sent = login(client)
    sign = {k: change[k] for k in ("key", "kid", "alg") if k in change}
    claims = {**claims_for(sent["nonce"]), **{k: v for k, v in change.items() if k not in sign}}
    claims = {k: v for k, v in claims.items() if v is not None}
    refused_without_a_session(launch(client, sent["state"], signed(claims, **sign)), status, says, client)


def test_replays_and_states_that_are_not_this_browsers_are_refused(client):
    sent = login(client)
    token = signed(claims_for(sent["nonce"]))
    assert launch(client, sent["state"], token).status_code == 200
    client.cookies.clear()
    client.cookies.set(STATE_COOKIE + sent["state"], "1", domain="testserver.local", path="/lti/")
    refused_without_a_session(launch(client, sent["state"], token), 400, "already used or expired", client)
    fresh = login(client)  # the same id_token with a new sign-in's state: its nonce is the old one
    refused_without_a_session(launch(client, fresh["state"], token), 401, "nonce is not the one", client)
    made_up = uuid.uuid4().hex
    client.cookies.set(STATE_COOKIE + made_up, "1", domain="testserver.local", path="/lti/")
    refused_without_a_session(launch(client, made_up, token), 400, "unknown, already used or expired", client)
    other = login(client)
    client.cookies.clear()  # a state this browser never got (login CSRF): refused before it is used
    refused_without_a_session(launch(client, other["state"], signed(claims_for(other["nonce"]))), 400,
                              "this browser did not start this sign-in", client)
    refused_without_a_session(client.post("/lti/launch", data={"id_token": token}), 400, "lacks state", client)
    refused_without_a_session(client.post("/lti/launch", data={"state": "x"}), 400, "lacks id_token", client)


def app_with(course, url, config: str, **more):
    (course / "lti.yaml").write_text(config)
    return create_app(settings_for(course, url), grade=False)


def test_what_the_platform_sends_is_escaped_on_every_page(lti_course, database_url):
    tokens = issue(database_url)
    add = CONFIG + "    not_on_roster: add\n"
    with TestClient(app_with(lti_course, database_url, add), base_url=HOST) as client:
        sent = login(client)
        hostile = '<script>alert("x")</script>'
        r = launch(client, sent["state"], signed(claims_for(sent["nonce"], person="s2000", name=hostile)))
        assert r.status_code == 200 and "<script>" not in r.text
        assert 'Signed in as s2000 (&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;)' in r.text
        client.cookies.clear()
        listed = client.get("/lti/launches", headers=bearer(tokens["prof"]))
        assert "<td>s2000</td><td>&lt;script&gt;" in listed.text and "<script>alert" not in listed.text
        for change, says in [
            ({CLAIM + "deployment_id": "<img src=x onerror=alert(1)>"}, "&lt;img src=x onerror=alert(1)&gt;"),
            ({CLAIM + "message_type": "<b>x</b>"}, "not &lt;b&gt;x&lt;/b&gt;"),
            ({CLAIM + "lis": {"person_sourcedid": "<i>me</i>"}}, "&lt;i&gt;me&lt;/i&gt; cannot be a student id"),
            ({CLAIM + "custom": {"assignment": "<svg onload=alert(1)>"}}, "&lt;svg onload=alert(1)&gt;"),
        ]:
            sent = login(client)
            r = launch(client, sent["state"], signed({**claims_for(sent["nonce"]), **change}))
            assert 400 <= r.status_code < 500 and says in r.text and "<img" not in r.text and "<b>x" not in r.text
            assert "<i>me" not in r.text and "<svg" not in r.text
        r = client.post("/lti/launch", data={"error": "<u>login_required</u>", "error_description": "<script>"})
        assert r.status_code == 400 and "&lt;u&gt;login_required&lt;/u&gt;: &lt;script&gt;" in r.text
        r = client.get("/lti/login", params={"iss": "<b>evil</b>", "login_hint": "h", "target_link_uri": f"{HOST}/"})
        assert r.status_code == 400 and "&lt;b&gt;evil&lt;/b&gt;" in r.text and "<b>evil" not in r.text
        sent = login(client)  # a roster name with markup
        r = launch(client, sent["state"], signed(claims_for(sent["nonce"], person="s1004")))
        assert r.status_code == 200 and "<script>" not in r.text
        assert "Signed in as s1004 (Grace &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;)" in r.text


def test_a_learner_not_on_the_roster_is_added_only_when_the_platform_says_so(lti_course, database_url):
    issue(database_url)
    with TestClient(app_with(lti_course, database_url, CONFIG + "    not_on_roster: add\n"), base_url=HOST) as client:
        assert signed_in_by_lti(client, person="s2001", name="New Student") == "/a/mlp-numeric"
        assert client.get("/api/v1/me").json() == {"id": "s2001", "name": "New Student", "role": "student"}
        client.cookies.clear()
        sent = login(client)  # an instructor is never added: the course issues their token
        r = launch(client, sent["state"], signed(claims_for(sent["nonce"], person="ta9",
                                                            roles=(MEMBERSHIP + "Instructor",))))
        refused_without_a_session(r, 403, "ta9 is not on this course&#x27;s roster", client)


def test_the_roster_can_be_matched_on_the_e_mail(lti_course, database_url):
    from grader.io.roster import Student
    from grader.service.db import open_database
    from grader.service.tokens import issue_tokens

    engine = open_database(database_url)
    issue_tokens(engine, [Student("s3000", "Eve", "Eve@Example.edu"), Student("s3001", "Mal", "mal@example.edu")])
    engine.dispose()
    config = CONFIG.replace("student_id_claim: lis_person_sourcedid", "student_id_claim: email\n    match: email")
    with TestClient(app_with(lti_course, database_url, config), base_url=HOST) as client:
        assert signed_in_by_lti(client, email="eve@example.EDU") == "/a/mlp-numeric"
        assert client.get("/api/v1/me").json()["id"] == "s3000"
        client.cookies.clear()
        sent = login(client)
        r = launch(client, sent["state"], signed(claims_for(sent["nonce"], email="nobody@example.edu")))
        refused_without_a_session(r, 403, "nobody@example.edu is not on this course&#x27;s roster", client)


def test_a_session_opened_by_a_launch_expires(database_url):
    from grader.service.db import open_database
    from grader.service.tokens import issue_session, person_for

    issue(database_url)
    engine = open_database(database_url)
    from grader.service.db import tokens
    from grader.service.tokens import token_hash

    live, gone = issue_session(engine, "s1001", seconds=600), issue_session(engine, "s1001", seconds=-1)
    assert person_for(engine, live).id == "s1001" and person_for(engine, gone) is None
    long_gone = issue_session(engine, "s1001", seconds=-2 * 24 * 3600)
    issue_session(engine, "s1004", seconds=600)  # the next session forgets those ended a day ago
    with engine.connect() as db:
        kept = set(db.execute(select(tokens.c.hash)).scalars())
    assert token_hash(long_gone) not in kept and {token_hash(live), token_hash(gone)} <= kept
    engine.dispose()


def test_without_lti_yaml_the_lti_urls_say_it_is_not_set_up(course, tmp_path):
    url = f"sqlite:///{tmp_path / 'none.sqlite'}"
    with TestClient(create_app(settings_for(course, url), grade=False), base_url=HOST) as client:
        r = client.get("/lti/login", params={"iss": ISSUER, "login_hint": "h", "target_link_uri": f"{HOST}/"})
        assert r.status_code == 404 and "not set up for this course" in r.text
        assert client.post("/lti/launch", data={"state": "s", "id_token": "t"}).status_code == 404


def test_a_login_in_the_lms_frame_offers_a_window_of_its_own(client, app_and_tokens):
    from grader.service.db import lti_states

    params = {"iss": ISSUER, "login_hint": 'h"><script>', "target_link_uri": f"{HOST}/a/mlp-numeric"}
    r = client.get("/lti/login", params=params, headers={"Sec-Fetch-Dest": "iframe"}, follow_redirects=False)
    assert r.status_code == 200 and "set-cookie" not in r.headers and "<script>" not in r.text
    assert "frame-ancestors https:" in r.headers["content-security-policy"]
    link = re.search(r'<a id="open" href="([^"]+)" target="_blank" rel="noopener">', r.text).group(1)
    assert parse_qs(urlsplit(link.replace("&amp;", "&")).query) == {k: [v] for k, v in params.items()}
    with app_and_tokens[0].state.service.engine.connect() as db:
        assert db.execute(select(lti_states)).all() == []  # nothing stored for it
    assert "frame-ancestors 'none'" in client.get("/").headers["content-security-policy"]  # the rest: no frames
    top = client.get(link.replace("&amp;", "&"), headers={"Sec-Fetch-Dest": "document"}, follow_redirects=False)
    assert top.status_code == 302
