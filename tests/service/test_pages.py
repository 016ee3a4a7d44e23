"""The pages: the cookie and the forms' protections (HttpOnly, SameSite=Strict, CSRF, CSP), every
student text escaped, the LaTeX preview as MathML; and ``grade check --remote`` against a live
server (uvicorn on 127.0.0.1)."""
from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from grader.cli import cli
from tests.conftest import SUBMISSIONS
from tests.service.conftest import LiveServer, bearer, issue, settings_for, wait_graded

pytest.importorskip("starlette")
from starlette.testclient import TestClient  # noqa: E402

from grader.service.app import create_app  # noqa: E402

WRONG = SUBMISSIONS / "s1004_wrong_entries.yaml"
MALFORMED = SUBMISSIONS / "s1006_malformed.yaml"


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'pages.sqlite'}"


def signed_in(client, token):
    r = client.post("/login", data={"token": token}, follow_redirects=False)
    assert r.status_code == 303
    return r


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]{64})"', page).group(1)


def test_sign_in_sets_a_strict_http_only_cookie_and_forms_need_the_csrf_token(course, url):
    toks = issue(url)
    with TestClient(create_app(settings_for(course, url), grade=False)) as client:
        assert "not valid" in client.post("/login", data={"token": "nope"}).text
        cookie = signed_in(client, toks["s1001"]).headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        page = client.get("/a/mlp-numeric")
        assert page.status_code == 200 and "script-src" not in page.headers["content-security-policy"]
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assert "<script>" not in page.text  # (no inline script: the preview is /preview.js)
        text = WRONG.read_text()
        forged = client.post("/a/mlp-numeric/check", data={"text": text})
        wrong = client.post("/a/mlp-numeric/check", data={"text": text, "csrf": "0" * 64})
        assert forged.status_code == wrong.status_code == 403
        ok = client.post("/a/mlp-numeric/check", data={"text": text, "csrf": csrf_of(page.text)})
        assert ok.status_code == 200 and "Well-formed" in ok.text
        bad = client.post("/a/mlp-numeric/check", data={"text": MALFORMED.read_text(), "csrf": csrf_of(page.text)})
        assert "1 problem(s)" in bad.text and "answers.yaml:8: column 10: invalid YAML" in bad.text
        assert client.post("/a/mlp-numeric/submit", data={"text": text}).status_code == 403
        sent = client.post("/a/mlp-numeric/submit", data={"text": text, "csrf": csrf_of(page.text)},
                           follow_redirects=False)
        assert sent.status_code == 303 and re.fullmatch(r"/s/\d+", sent.headers["location"])


def test_every_page_escapes_student_text(course, url):
    toks = issue(url)  # s1004's roster name is Grace <script>alert("x")</script>
    hostile = WRONG.read_text().replace("name: Grace Hopper", 'name: "<img src=x onerror=alert(1)> \u202eevil"')
    with TestClient(create_app(settings_for(course, url, cooldown=0))) as client:
        r = client.post("/api/v1/submissions", headers=bearer(toks["s1004"]),
                        json={"filename": "<b>bold</b>.yaml", "text": hostile})
        sid = wait_graded(client, toks["s1004"], r.json()["id"])["id"]
        pages = [client.get(f"/s/{sid}", headers=bearer(toks["s1004"])).text,
                 client.get("/class/mlp-numeric", headers=bearer(toks["prof"])).text,
                 client.get("/", headers=bearer(toks["s1004"])).text]
    for page in pages:
        assert "<script>alert" not in page and "<img src=x" not in page and "<b>bold" not in page
        assert "\u202e" not in page
    assert "&lt;img src=x onerror=alert(1)&gt; \\u202eevil" in pages[0]  # what they sent, made visible
    assert "Grace &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in pages[1]
    assert "s1009" in pages[1].split('id="missing"')[1]  # who has not submitted


@pytest.mark.parametrize("text, has, lacks", [
    ("$x^2$", ["<math", "<msup><mi>x</mi><mn>2</mn></msup>"], []),
    (r"$$\frac{\partial L}{\partial W^{(2)}}$$", ['display="block"', "<mfrac>"], []),
    ("<script>alert(1)</script> $a$", ["&lt;script&gt;", "<mi>a</mi>"], ["<script>"]),
    (r"$\text{<img src=x onerror=alert(1)>}$", [], ["<img"]),
    (r"$\frac{1}{$", ["\\frac{1}{"], ["<math"]),  # unreadable: shown as typed
])
def test_latex_is_rendered_to_mathml_on_the_server(course, url, text, has, lacks):
    toks = issue(url)
    with TestClient(create_app(settings_for(course, url), grade=False)) as client:
        html = client.post("/api/v1/render", headers=bearer(toks["s1001"]), json={"text": text}).json()["html"]
        assert client.post("/api/v1/render", json={"text": text}).status_code == 401
    assert all(h in html for h in has) and not any(x in html for x in lacks), html


def test_grade_check_remote_checks_and_submits_against_a_live_server(course, url, tmp_path):
    toks = issue(url)
    with LiveServer(create_app(settings_for(course, url, cooldown=0))) as server:
        base = ["check", "--remote", server.url, "--token", toks["s1004"]]
        good = CliRunner().invoke(cli, [*base, str(WRONG)])
        bad = CliRunner().invoke(cli, [*base, str(MALFORMED)])
        submitted = CliRunner().invoke(cli, [*base, "--submit", str(WRONG)])
        refused = CliRunner().invoke(cli, ["check", "--remote", server.url, "--token", "wrong", str(WRONG)])
    assert good.exit_code == 0 and "1 of 1 file(s) well-formed" in good.output
    assert bad.exit_code == 1 and "s1006_malformed.yaml:8: column 10: invalid YAML" in bad.output
    assert submitted.exit_code == 0, submitted.output
    assert "attempt 1 of 10: 34/102 points" in submitted.output and "ex1a.delta2: wrong" in submitted.output
    assert refused.exit_code == 2 and "refused the token" in refused.output
    nowhere = CliRunner().invoke(cli, ["check", "--remote", "http://127.0.0.1:9", "--token", "t", str(WRONG)])
    assert nowhere.exit_code == 2 and "cannot reach" in nowhere.output
