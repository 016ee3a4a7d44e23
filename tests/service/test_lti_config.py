"""The LTI set-up: ``lti.yaml`` checked (a bad one is a ConfigError naming the file, the key and its
line, and ``grade serve`` stops with exit 2), the platform's keys from a JWKS URL (a local server
here: fetched once and cached; a platform that is down), and the migration that adds LTI's tables
to a database made before it."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from grader.cli import cli
from grader.errors import ConfigError
from tests.service.conftest import issue, settings_for

pytest.importorskip("starlette")
pytest.importorskip("jwt")
from starlette.testclient import TestClient  # noqa: E402

from grader.service.app import create_app  # noqa: E402
from grader.service.lti_config import read_lti_config  # noqa: E402
from tests.service.test_lti import (CONFIG, HOST, KEY, KID, OTHER_KEY, claims_for, jwks, launch, login,  # noqa: E402
                                    refused_without_a_session, signed)

GOOD = """platforms:
  - issuer: https://lms.example.edu
    client_id: tool-42
    deployment_ids: [d1]
    auth_url: https://lms.example.edu/auth
    jwks_url: https://lms.example.edu/jwks
"""
# (lti.yaml, where the error is, its line, what our check says; None: the schema's, worded by jsonschema)
BAD = [
    (GOOD.replace("    auth_url: https://lms.example.edu/auth\n", ""), "platforms[0]", 2, None),
    (GOOD + "    jwks_file: keys.json\n", "platforms[0]", 2, "exactly one of jwks_url or jwks_file"),
    (GOOD.replace("jwks_url: https://lms.example.edu/jwks", "jwks_file: lti/none.json"), "platforms[0].jwks_file", 6,
     "cannot read the key file"),
    (GOOD.replace("jwks_url: https://lms.example.edu/jwks", "jwks_file: notes.json"), "platforms[0].jwks_file", 6,
     "is not a JWKS"),
    (GOOD + "    student_id_claim: name\n", "platforms[0].student_id_claim", 7, None),
    (GOOD + "    match: email\n    not_on_roster: add\n", "platforms[0].not_on_roster", 8, "add needs match: id"),
    (GOOD + GOOD.replace("platforms:\n", ""), "platforms[1].client_id", 8, "same issuer and client_id"),
    (GOOD + "    secret: hunter2\n", "platforms[0]", 2, None),
    (GOOD.replace("https://lms.example.edu/auth", "lms.example.edu/auth"), "platforms[0].auth_url", 5, None),
    (GOOD.replace("[d1]", "[]"), "platforms[0].deployment_ids", 4, None),
    ("platforms: []\n", "platforms", 1, None),
]


@pytest.mark.parametrize("text, where, line, says", BAD)
def test_a_bad_lti_yaml_is_a_config_error_naming_the_file_key_and_line(tmp_path, text, where, line, says):
    (tmp_path / "notes.json").write_text('{"keys": []}')
    (tmp_path / "lti.yaml").write_text(text)
    with pytest.raises(ConfigError) as caught:
        read_lti_config(tmp_path)
    e = caught.value
    assert (e.file, e.line) == (str(tmp_path / "lti.yaml"), line)
    assert e.message.startswith(f"at {where}: "), e.message
    assert e.category == "schema" if says is None else says in e.message, e.message


def test_a_good_lti_yaml_and_none(tmp_path):
    assert read_lti_config(tmp_path).platforms == ()
    (tmp_path / "lti.yaml").write_text(GOOD)
    (p,) = read_lti_config(tmp_path).platforms
    assert (p.issuer, p.client_id, p.deployment_ids, p.jwks_url, p.jwks_file) == (
        "https://lms.example.edu", "tool-42", ("d1",), "https://lms.example.edu/jwks", None)
    assert (p.student_id_claim, p.match, p.not_on_roster, p.session_hours) == ("sub", "id", "refuse", 8.0)


def test_grade_serve_stops_on_a_bad_lti_yaml(course, tmp_path):
    (course / "lti.yaml").write_text("platforms:\n  - issuer: x\n")
    result = CliRunner().invoke(cli, ["serve", "--course", str(course), "--database",
                                      f"sqlite:///{tmp_path / 's.sqlite'}"])
    assert result.exit_code == 2
    assert "configuration error" in result.output and "lti.yaml:2" in result.output
    assert "at platforms[0]: " in result.output


class JwksServer:
    """The platform's key endpoint on 127.0.0.1: serves ``self.keys``; counts its requests."""

    def __init__(self, keys: dict):
        self.keys, self.requests = keys, 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests += 1
                body = json.dumps(outer.keys).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/jwks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_keys_from_a_jwks_url_are_fetched_once_and_cached(course, tmp_path):
    url = f"sqlite:///{tmp_path / 'u.sqlite'}"
    issue(url)
    platform = JwksServer(jwks((KID, KEY)))
    (course / "lti.yaml").write_text(CONFIG.replace("jwks_file: lti/keys.json", f"jwks_url: {platform.url}"))
    try:
        with TestClient(create_app(settings_for(course, url), grade=False), base_url=HOST) as client:
            for _ in range(2):
                sent = login(client)
                assert launch(client, sent["state"], signed(claims_for(sent["nonce"]))).status_code == 200
            assert platform.requests == 1  # cached
            client.cookies.clear()
            sent = login(client)
            r = launch(client, sent["state"], signed(claims_for(sent["nonce"]), kid="never-published"))
            refused_without_a_session(r, 401, "a key (kid) the platform does not publish", client)
        platform.keys = jwks(("rotated", OTHER_KEY))  # the platform rotated its key: a new replica sees it
        with TestClient(create_app(settings_for(course, url), grade=False), base_url=HOST) as client:
            sent = login(client)
            r = launch(client, sent["state"], signed(claims_for(sent["nonce"]), key=OTHER_KEY, kid="rotated"))
            assert r.status_code == 200
        platform.close()
        with TestClient(create_app(settings_for(course, url), grade=False), base_url=HOST) as client:
            sent = login(client)
            r = launch(client, sent["state"], signed(claims_for(sent["nonce"])))
            assert r.status_code == 502 and "cannot be fetched now" in r.text
            assert client.get("/api/v1/me").status_code == 401
    finally:
        platform.close()


def test_the_lti_migration_keeps_a_database_made_before_it(database_url):
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.config import Config
    from alembic.migration import MigrationContext
    from sqlalchemy import text

    from grader.service.db import MIGRATIONS, metadata, open_database, upgrade
    from grader.service.tokens import person_for, token_hash

    engine = open_database(database_url, migrate=False)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as db:
        config.attributes["connection"] = db
        command.upgrade(config, "0001")
        db.execute(text("INSERT INTO people (id, name, email, role) VALUES ('s1', 'Ada', '', 'student')"))
        db.execute(text("INSERT INTO tokens (hash, person_id, created_at) VALUES (:h, 's1', 0)"),
                   {"h": token_hash("old-token")})
    upgrade(engine)
    assert person_for(engine, "old-token").id == "s1"  # a roster token made before LTI: valid, no expiry
    with engine.connect() as db:
        assert compare_metadata(MigrationContext.configure(db), metadata) == []
        assert db.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0002"
    engine.dispose()
