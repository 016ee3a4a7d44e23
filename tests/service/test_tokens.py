"""``grade serve tokens``: a token per roster student and per --instructor, written once to a CSV;
the database knows each person's role and only the tokens' hashes; a bad roster stops it (exit 2)."""
from __future__ import annotations

import csv

import pytest
from click.testing import CliRunner

from grader.cli import cli

pytest.importorskip("sqlalchemy")
from grader.service.db import open_database  # noqa: E402
from grader.service.tokens import person_for, token_hash  # noqa: E402


def test_tokens_from_a_roster_and_for_instructors(course, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name\ns1001,Ada Lovelace\ns1002,=HYPERLINK(\"x\")\n")
    url = f"sqlite:///{tmp_path / 't.sqlite'}"
    out = tmp_path / "tokens.csv"
    args = ["serve", "tokens", "--roster", str(roster), "--instructor", "prof", "--out", str(out),
            "--course", str(course), "--database", url]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "\r" not in out.read_text()
    rows = list(csv.DictReader(out.open()))
    assert [(r["student_id"], r["role"]) for r in rows] == [("s1001", "student"), ("s1002", "student"),
                                                            ("prof", "instructor")]
    engine = open_database(url)
    people = {r["student_id"]: person_for(engine, r["token"]) for r in rows}
    assert people["prof"].instructor and not people["s1001"].instructor and people["s1001"].name == "Ada Lovelace"
    again = CliRunner().invoke(cli, args)  # new tokens; the old ones stay valid
    assert again.exit_code == 0 and person_for(engine, rows[0]["token"]).id == "s1001"
    assert token_hash(rows[0]["token"]) != rows[0]["token"] and person_for(engine, "") is None


@pytest.mark.parametrize("roster_text, args", [
    ("student_id,name\n,No Id\n", []),  # a row with a name but no id
    (None, []),  # neither --roster nor --instructor
])
def test_a_bad_roster_or_no_one_stops_it(course, tmp_path, roster_text, args):
    url = f"sqlite:///{tmp_path / 't.sqlite'}"
    extra = []
    if roster_text is not None:
        (tmp_path / "r.csv").write_text(roster_text)
        extra = ["--roster", str(tmp_path / "r.csv")]
    result = CliRunner().invoke(cli, ["serve", "tokens", *extra, *args, "--out", str(tmp_path / "o.csv"),
                                      "--course", str(course), "--database", url])
    assert result.exit_code == 2 and not (tmp_path / "o.csv").exists()
