r"""Nothing a student typed can forge what the instructor reads (grader/shown_text.py).

A corpus of hostile characters goes into names, e-mails, student ids, unknown question ids
and answers quoted in messages; every view (terminal table and details, CSV gradebooks in
every format, JSON, HTML, Markdown feedback, ``grade check`` lines and GitHub annotations,
handouts) must hold no raw control, bidi or invisible character, show the visible escape,
and keep one table row per file."""
from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from grader.keys.catalog import Catalog
from grader.cli import cli
from grader.shown_text import BIDI, json_safe, shown

from tests.conftest import ROOT, SUBMISSIONS

# (what, character as written in a YAML double-quoted string, the escape shown)
CORPUS = [
    ("newline", r"\n", r"\n"),
    ("carriage return", r"\r", r"\r"),
    ("tab", r"\t", r"\t"),
    ("right-to-left override", r"\u202e", r"\u202e"),
    ("left-to-right isolate", r"\u2066", r"\u2066"),
    ("pop directional isolate", r"\u2069", r"\u2069"),
    ("zero-width space", r"\u200b", r"\u200b"),
    ("right-to-left mark", r"\u200f", r"\u200f"),
    ("arabic letter mark", r"\u061c", r"\u061c"),
    ("line separator", r"\u2028", r"\u2028"),
    ("byte order mark", r"\ufeff", r"\ufeff"),
]
IN_IDS = {"right-to-left override", "left-to-right isolate", "pop directional isolate", "zero-width space",
          "right-to-left mark", "arabic letter mark"}  # the schema refuses whitespace in an id


def raw_hidden(text: str, *, newlines: bool = True) -> set[str]:
    """Characters of ``text`` a reader would not see as themselves (line feeds are layout)."""
    return {ch for ch in text if (ch != "\n" or not newlines) and (ch in BIDI or not (ch.isprintable() or ch == " "))}


@pytest.mark.parametrize("what, written, escape", CORPUS, ids=[c[0] for c in CORPUS])
def test_shown_makes_each_character_visible(what, written, escape):
    raw = json.loads(f'"{written}"')
    text = f"Eve{raw}FORGED 102 102 complete"
    assert shown(text) == f"Eve{escape}FORGED 102 102 complete"
    assert not raw_hidden(shown(text), newlines=False)
    assert shown(shown(text)) == shown(text)  # never escapes twice (backslashes are left alone)
    assert json.loads(json_safe(json.dumps(text, ensure_ascii=False))) == text  # JSON keeps the data


def test_shown_leaves_ordinary_text_alone():
    for text in ["Ada Lovelace", "José Ñúñez", "李小龍", r"\delta^{(2)} \odot (a^{(1)})^T", "W₁ ⊙ σ′(z)", "a\\nb"]:
        assert shown(text) == text


@pytest.fixture(scope="module")
def hostile_class(tmp_path_factory):
    """One file per corpus character: in the name, the e-mail, an unknown question id, an
    answer quoted in a message and (where the schema allows) the student id; plus a good file."""
    folder = tmp_path_factory.mktemp("hostile") / "class"
    folder.mkdir()
    shutil.copy(SUBMISSIONS / "s1001_all_correct.yaml", folder / "good.yaml")
    base = (SUBMISSIONS / "s1001_all_correct.yaml").read_text()
    for n, (what, written, _) in enumerate(CORPUS):
        sid = f"s9{n:02d}{written}x" if what in IN_IDS else f"s9{n:02d}"
        text = base.replace("student: {id: s1001, name: Ada Lovelace, email: ada@example.edu}",
                            f'student: {{id: "{sid}", name: "Eve{written}FORGED 102 102 complete", '
                            f'email: "e{written}@x.edu"}}')
        text = text.replace("  ex1a.z1: [0.2, 0.2, 0.2]", f'  ex1a.z1: "[0.2, 0.2{written}]"\n  "bogus{written}q": 1')
        assert text != base
        (folder / f"f{n:02d}.yaml").write_text(text)
    return folder


def _outputs(folder, tmp_path, monkeypatch, fmt):
    monkeypatch.chdir(ROOT)
    out = tmp_path / "out"
    out.mkdir()
    run = CliRunner().invoke(cli, ["run", str(folder), "--details", "--format", fmt, "--gradebook", str(out / "gb.csv"),
                                   "--json", str(out / "r.json"), "--html", str(out / "r.html"),
                                   "--feedback", str(out / "fb")])
    assert run.exit_code == 0, run.output
    return run.output, out


@pytest.mark.parametrize("fmt", ["csv", "canvas", "moodle"])
def test_every_view_of_a_class_shows_escapes_never_raw_characters(hostile_class, tmp_path, monkeypatch, fmt):
    terminal, out = _outputs(hostile_class, tmp_path, monkeypatch, fmt)
    files = len(CORPUS) + 1
    table = terminal.split("\n\n")[0].splitlines()
    assert len(table) == 2 + files  # header, rule, one row per file
    views = {"terminal": terminal, "gradebook": (out / "gb.csv").read_text(encoding="utf-8"),
             "json": (out / "r.json").read_text(encoding="utf-8"), "html": (out / "r.html").read_text(encoding="utf-8")}
    views.update({p.name: p.read_text(encoding="utf-8") for p in (out / "fb").iterdir()})
    assert len(views) == 4 + files
    for name, text in views.items():
        assert not raw_hidden(text), (name, raw_hidden(text))
    assert len(views["gradebook"].splitlines()) == 1 + files + (fmt == "canvas")  # (Canvas's Points Possible row)
    assert sum("FORGED" in line for line in views["gradebook"].splitlines()) == len(CORPUS)
    for n, (what, _, escape) in enumerate(CORPUS):
        row = next(line for line in table if f"s9{n:02d}" in line)
        assert f"Eve{escape}FORGED 102 102 complete" in row, what
        assert f"Eve{escape}FORGED" in views["html"], what
        assert f"e{escape}@x.edu" in views["gradebook"] or fmt == "canvas", what
    data = json.loads(views["json"])  # JSON keeps the data as typed
    names = {s["name"] for s in data["students"]}
    assert {json.loads(f'"Eve{w}FORGED 102 102 complete"') for _, w, _ in CORPUS} <= names


def test_grade_check_lines_and_annotations(hostile_class, monkeypatch):
    monkeypatch.chdir(ROOT)
    paths = sorted(str(p) for p in hostile_class.glob("f*.yaml"))
    for github in ("false", "true"):
        monkeypatch.setenv("GITHUB_ACTIONS", github)
        run = CliRunner().invoke(cli, ["check", *paths])
        assert run.exit_code == 1
        assert not raw_hidden(run.output), raw_hidden(run.output)
        assert r"bogus\u202eq" in run.output
        problems = [line for line in run.output.splitlines() if "problem(s) in" not in line]
        assert sum("bogus" in line for line in problems) == len(CORPUS)  # one line per unknown question id
        assert all(line.startswith("::error " if github == "true" else str(hostile_class)) for line in problems)


def test_handout_names_are_shown_escaped(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    roster = tmp_path / "roster.csv"
    roster.write_text('student_id,name\ns1,"Eve\u202eFORGED\u2066x\u2069"\n', encoding="utf-8")
    run = CliRunner().invoke(cli, ["handout", "mlp-numeric", "--roster", str(roster), "--out", str(tmp_path / "h")])
    assert run.exit_code == 0, run.output
    sheet = (tmp_path / "h" / "s1.md").read_text(encoding="utf-8")
    assert not raw_hidden(sheet) and r"Eve\\u202eFORGED" in sheet
    template = (tmp_path / "h" / "s1.answers.yaml").read_text(encoding="utf-8")
    assert not raw_hidden(template) and r"\u202e" in template.lower()  # (a YAML escape: the same name)


def test_catalog_is_untouched_by_shown():  # (the key's own texts hold no escapes to add)
    catalog = Catalog(root=ROOT)
    for a in catalog.known_ids():
        for q in catalog.assignment(a).questions:
            assert shown(q.id) == q.id


def test_gradescope_and_prairielearn_texts(hostile_class, tmp_path, monkeypatch):
    """What the platforms show (Gradescope's output, PrairieLearn's message, the tests' texts,
    the log line) holds escapes; the data fields keep the value as typed."""
    monkeypatch.chdir(ROOT)
    for n, (what, _, escape) in enumerate(CORPUS[:6]):
        sub = tmp_path / f"sub{n}"
        sub.mkdir()
        shutil.copy(hostile_class / f"f{n:02d}.yaml", sub / "answers.yaml")
        out = tmp_path / f"gs{n}.json"
        run = CliRunner().invoke(cli, ["gradescope", "--submission-dir", str(sub), "--results", str(out)])
        assert run.exit_code == 0 and not raw_hidden(run.output), what
        data = json.loads(out.read_text(encoding="utf-8"))
        texts = [data["output"]] + [t["output"] for t in data["tests"]] + [t["name"] for t in data["tests"]]
        assert not any(raw_hidden(t) for t in texts), what
        assert any(r"bogus" + escape + "q" in t for t in texts), what
        job = tmp_path / f"pl{n}"
        (job / "student").mkdir(parents=True)
        shutil.copy(hostile_class / f"f{n:02d}.yaml", job / "student" / "answers.yaml")
        run = CliRunner().invoke(cli, ["prairielearn", "--grade-dir", str(job)])
        assert run.exit_code == 0 and not raw_hidden(run.output), what
        data = json.loads((job / "results" / "results.json").read_text(encoding="utf-8"))
        texts = [data["message"]] + [t.get("message", "") for t in data["tests"]] + [t["name"] for t in data["tests"]]
        assert not any(raw_hidden(t) for t in texts), what
