"""Tests for grader.io.safe_load: hostile and careless answer files."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from grader.errors import SubmissionError
from grader.io import safe_load
from grader.io.safe_load import MAX_DEPTH, MAX_NODES, load_file, load_text


def yaml_doc(text: str):
    return load_text(text, source="a.yaml", fmt="yaml")


def json_doc(text: str):
    return load_text(text, source="a.json", fmt="json")


def rejected(text: str, fmt: str) -> SubmissionError:
    with pytest.raises(SubmissionError) as info:
        load_text(text, source=f"a.{fmt}", fmt=fmt)
    assert info.value.file == f"a.{fmt}"
    return info.value


# --- YAML: every scalar is the text as typed --------------------------------------------

@pytest.mark.parametrize("typed", [
    "no", "yes", "on", "off", "y", "n", "true", "False", "2:30", "1_000", "0x1F", "0o17",
    "017", "0123", ".inf", "-.inf", ".nan", "2024-01-01", "2001-12-14t21:59:43.10-05:00",
    "~", "null", "Null", "0.5", "1e999999", "-0", "+1", "1.", "=", "<<",
])
def test_yaml_scalars_arrive_as_typed_text(typed):
    assert yaml_doc(f"q: {typed}\n").data == {"q": typed}
    assert yaml_doc(f"- {typed}\n").data == [typed]
    assert yaml_doc(f"{typed}: x\n").data == {typed: "x"}


def test_yaml_structures_and_quoting():
    doc = yaml_doc('a: "0.5"\nb: \'no\'\nc: [1, [2, 3]]\nd: {e: ""}\nf:\ng: |\n  1 2\n')
    assert doc.data == {"a": "0.5", "b": "no", "c": ["1", ["2", "3"]], "d": {"e": ""},
                        "f": "", "g": "1 2\n"}


def test_yaml_explicit_str_seq_map_tags_allowed():
    doc = yaml_doc("a: !!str 1\nb: !!seq [x]\nc: !!map {k: v}\nd: ! 2\n")
    assert doc.data == {"a": "1", "b": ["x"], "c": {"k": "v"}, "d": "2"}


ANSWER = """\
assignment: mlp-numeric
student: {id: s1024, name: Ada Lovelace}
answers:
  ex1a.W2_new: [[0.1626, 0.1626, 0.1626], [0.0261, 0.0261, 0.0261]]
  ex1b.class: 1
"""


def test_yaml_lines_of_answer_file():
    doc = yaml_doc(ANSWER)
    assert doc.source == "a.yaml"
    assert doc.data["answers"]["ex1a.W2_new"][1] == ["0.0261", "0.0261", "0.0261"]
    assert doc.lines[()] == 1
    assert doc.lines[("assignment",)] == 1
    assert doc.lines[("student", "name")] == 2
    assert doc.lines[("answers",)] == 4  # a block mapping starts at its first key
    assert doc.lines[("answers", "ex1a.W2_new")] == 4
    assert doc.lines[("answers", "ex1a.W2_new", 1, 2)] == 4
    assert doc.lines[("answers", "ex1b.class")] == 5
    with pytest.raises(TypeError):
        doc.lines[("x",)] = 3  # read-only view


# --- YAML: rejected inputs, with the exact category -------------------------------------

BAD_YAML = [
    ("a: &x 1\nb: *x\n", "alias", 1),
    ("a: &x 1\n", "alias", 1),
    ("a: 1\nb: !!python/object/apply:os.system [\"echo hi\"]\n", "tag", 2),
    ("a: !!python/name:os.system\n", "tag", 1),
    ("a: !!int 5\n", "tag", 1),
    ("a: !!float 5\n", "tag", 1),
    ("a: !!binary aGk=\n", "tag", 1),
    ("a: !foo x\n", "tag", 1),
    ("a: !!str [1]\n", "tag", 1),
    ("a: !!set {x}\n", "tag", 1),
    ("a: 1\nb: 2\na: 3\n", "duplicate-key", 3),
    ("a: 1\n'a': 3\n", "duplicate-key", 2),
    ("q: {x: 1, x: 2}\n", "duplicate-key", 1),
    ("? [1, 2]\n: x\n", "yaml", 1),
    ("{a: 1}: x\n", "yaml", 1),
    ("a: 1\n---\nb: 2\n", "yaml", 2),
    ("--- a\n--- b\n", "yaml", 2),
    ("", "empty", 1),
    ("   \n\n", "empty", 1),
    ("# only a comment\n", "empty", 1),
    ("---\n", "empty", 1),
    ("---\n...\n", "empty", 1),
    ("a: [1, 2\nb: 3\n", "yaml", None),
    ("a: b\n  c: d\n", "yaml", 2),
    ("a: \x00\n", "yaml", 1),
    ("\t- x\n", "yaml", 1),
]


@pytest.mark.parametrize("text, category, line", BAD_YAML)
def test_yaml_rejected(text, category, line):
    err = rejected(text, "yaml")
    assert err.category == category
    if line is not None:
        assert err.line == line


def test_yaml_syntax_error_names_line_and_column():
    err = rejected("answers:\n  q1: [1, 2\n  q2: 3\n", "yaml")
    assert err.category == "yaml"
    assert err.line is not None and err.column is not None
    assert f"a.yaml:{err.line}: column {err.column}: invalid YAML" in err.describe()
    assert "expected ',' or ']'" in err.message


def test_yaml_alias_bomb_rejected_fast():
    bomb = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 30):  # 9**30 strings if expanded
        refs = ", ".join([f"*l{i - 1}"] * 9)
        bomb.append(f"l{i}: &l{i} [{refs}]")
    err = rejected("\n".join(bomb) + "\n", "yaml")  # at the first anchor: nothing is expanded
    assert err.category == "alias" and err.line == 1


def test_yaml_python_tag_runs_nothing(tmp_path, monkeypatch):
    marker = tmp_path / "ran"
    monkeypatch.setattr(os, "system", lambda *a: marker.write_text("x"))
    err = rejected(f'!!python/object/apply:os.system ["touch {marker}"]\n', "yaml")
    assert err.category == "tag" and not marker.exists()


@pytest.mark.parametrize("opener, closer", [("[", "]"), ("{a: ", "}")])
def test_yaml_depth_limit(opener, closer):
    ok = opener * MAX_DEPTH + "x" + closer * MAX_DEPTH
    assert yaml_doc(ok).data is not None
    err = rejected(opener * (MAX_DEPTH + 1) + "x" + closer * (MAX_DEPTH + 1), "yaml")
    assert err.category == "limit"


def test_yaml_deep_block_nesting_limited():
    text = "".join("  " * i + "- \n" for i in range(MAX_DEPTH + 5))[:-1] + "x\n"
    assert rejected(text, "yaml").category == "limit"


LOADERS = [yaml.BaseLoader] + ([yaml.CBaseLoader] if yaml.__with_libyaml__ else [])


@pytest.mark.parametrize("loader", LOADERS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1_001, 10_000, 400_000])
def test_yaml_very_deep_nesting_is_our_limit_whatever_the_parser(depth, loader, monkeypatch):
    # yaml.compose with the C loader segfaults on this; events stop at depth 65. A libyaml that
    # refuses deep nesting itself (PyYAML 6.0.4's, at 1,000 levels) must not change the verdict.
    monkeypatch.setattr(safe_load, "_LOADER", loader)
    for text in ("[" * depth + "]" * depth, "a: " + "{b: " * depth + "1" + "}" * depth):
        err = rejected(text, "yaml")
        assert (err.category, err.line) == ("limit", 1), err.describe()


@pytest.mark.parametrize("loader", LOADERS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("text, category", [
    ("a: [1, 2\nb: 3\n", "yaml"),              # broken: the library's error stands
    ("a: &x [1]\nb: *x\n" + "[" * 2000, "alias"),  # ours, before the library's
    ("a: 1\na: 2\n" + "[" * 2000, "duplicate-key"),
])
def test_yaml_our_rules_before_the_librarys(text, category, loader, monkeypatch):
    monkeypatch.setattr(safe_load, "_LOADER", loader)
    assert rejected(text, "yaml").category == category


def test_yaml_node_limit():
    assert rejected("[" + "1," * MAX_NODES + "1]", "yaml").category == "limit"


# --- JSON ------------------------------------------------------------------------------

def test_json_numbers_as_typed_and_lines():
    text = ('{\n  "a": 0.50,\n  "b": [1e999999, -0, 3],\n'
            '  "c": {"d": true, "e": null},\n  "f": "x"\n}')
    doc = json_doc(text)
    assert doc.data == {"a": "0.50", "b": ["1e999999", "-0", "3"],
                        "c": {"d": True, "e": None}, "f": "x"}
    assert doc.lines[()] == 1
    assert doc.lines[("a",)] == 2
    assert doc.lines[("b", 2)] == 3
    assert doc.lines[("c", "e")] == 4
    assert doc.lines[("f",)] == 5


def test_json_lines_with_escaped_keys_and_tricky_strings():
    doc = json_doc('{"a\\"b": "x,}:{", \n"c\\u00e9": ["]", {"k": 1}]}')
    assert doc.data == {'a"b': "x,}:{", "c\u00e9": ["]", {"k": "1"}]}
    assert doc.lines[('a"b',)] == 1
    assert doc.lines[("c\u00e9", 1, "k")] == 2


BAD_JSON = [
    ('{"a": 1, "a": 2}', "duplicate-key", 1),
    ('{"x": {\n"a": 1,\n"b": 2,\n"a": 3}}', "duplicate-key", 4),
    ('{"a": NaN}', "json", 1),
    ('{"a": [1,\n Infinity]}', "json", 2),
    ('[-Infinity]', "json", 1),
    ("[" * 10_000 + "]" * 10_000, "limit", 1),
    ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "limit", 1),
    ('{"a": 1,}', "json", 1),
    ("{'a': 1}", "json", 1),
    ('{"a":\n 01}', "json", 2),
    ('{"a": 1} x', "json", 1),
    ("", "empty", 1),
    (" \n", "empty", 1),
]


@pytest.mark.parametrize("text, category, line", BAD_JSON)
def test_json_rejected(text, category, line):
    err = rejected(text, "json")
    assert err.category == category
    assert err.line == line


@pytest.mark.parametrize("text, category", [
    ('{"a": 1, "a": 2}', "duplicate-key"), ("[NaN]", "json"), ("[" * 5000, "limit"),
])
def test_json_hooks_reject_even_if_scan_cannot_locate(monkeypatch, text, category):
    monkeypatch.setattr(safe_load, "_scan_json", lambda *a: {})
    err = rejected(text, "json")
    assert (err.category, err.line) == (category, None)


def test_json_syntax_error_has_column():
    err = rejected('{\n  "a": [1 2]\n}', "json")
    assert (err.line, err.column) == (2, 11)
    assert err.describe().startswith("a.json:2: column 11: invalid JSON")


def test_json_depth_at_limit_ok_and_node_limit():
    assert json_doc("[" * MAX_DEPTH + "]" * MAX_DEPTH).data is not None
    assert rejected("[" + "1," * MAX_NODES + "1]", "json").category == "limit"


def test_unknown_format_is_a_programming_error():
    with pytest.raises(ValueError):
        load_text("a: 1", source="x", fmt="toml")


# --- files -----------------------------------------------------------------------------

def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("name", ["a.yaml", "a.yml", "A.YAML"])
def test_file_yaml_with_bom(tmp_path, name):
    doc = load_file(write(tmp_path, name, b"\xef\xbb\xbf" + ANSWER.encode()))
    assert doc.data["answers"]["ex1b.class"] == "1"
    assert doc.lines[("answers", "ex1b.class")] == 5
    assert doc.source == str(tmp_path / name)


def test_file_json_with_bom(tmp_path):
    doc = load_file(write(tmp_path, "a.json", b'\xef\xbb\xbf{"q": 0.5}'))
    assert doc.data == {"q": "0.5"}


def test_file_utf8_text_kept(tmp_path):
    doc = load_file(write(tmp_path, "a.yaml", "name: Zoë − ∂L/∂w\n".encode()))
    assert doc.data == {"name": "Zoë − ∂L/∂w"}


@pytest.mark.parametrize("data, offset", [
    ("name: Zoë\n".encode("latin-1"), 8),
    (b"\xef\xbb\xbfname: Zo\xeb\n", 11),
    (b"a: \xed\xa0\x80\n", 3),  # an encoded surrogate is not UTF-8
])
def test_file_not_utf8(tmp_path, data, offset):
    with pytest.raises(SubmissionError) as info:
        load_file(write(tmp_path, "a.yaml", data))
    assert info.value.category == "encoding"
    assert f"byte offset {offset}" in info.value.message


def test_file_size_cap(tmp_path):
    path = write(tmp_path, "a.yaml", b"a: " + b"1" * 97 + b"\n")  # 101 bytes
    assert load_file(path, max_bytes=101).data == {"a": "1" * 97}
    with pytest.raises(SubmissionError) as info:
        load_file(path, max_bytes=100)
    assert info.value.category == "size"


def test_file_size_checked_before_reading(tmp_path, monkeypatch):
    path = write(tmp_path, "a.json", b"[" + b"0," * 600_000 + b"0]")
    opened = []
    real_open = os.open
    monkeypatch.setattr(safe_load.os, "open", lambda *a: opened.append(a) or real_open(*a))
    with pytest.raises(SubmissionError) as info:
        load_file(path)
    assert info.value.category == "size"
    assert opened == []  # refused from lstat alone


@pytest.mark.parametrize("kind", ["directory", "symlink", "fifo", "missing", "suffix", "none"])
def test_file_refused(tmp_path, kind):
    target = write(tmp_path, "real.yaml", b"a: 1\n")
    path = tmp_path / "x.yaml"
    if kind == "directory":
        path.mkdir()
    elif kind == "symlink":
        path.symlink_to(target)
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "suffix":
        path = write(tmp_path, "a.txt", b"a: 1\n")
    elif kind == "none":
        path = write(tmp_path, "answers", b"a: 1\n")
    with pytest.raises(SubmissionError) as info:
        load_file(path)
    assert info.value.category == "file"
    assert info.value.file == str(path)


@pytest.mark.parametrize("text, category, line", [
    ("a: b\x1bc\n", "yaml", 1),  # raw, in every style but double quotes: the YAML reader refuses it
    ("a: 'b\x07'\n", "yaml", 1),
    ("a: |\n  x\x7fy\n", "yaml", 2),
    ("a: b\x9bc\n", "yaml", 1),
    ('a: "ok"\n"k\\e": 1\n', "encoding", 2),  # escaped, in double quotes (a key too): refused here
    ('a: ["x", "x\\x01"]\n', "encoding", 1),
    ('a: "\\ud800"\n', "encoding", 1),  # ours, whether or not the installed libyaml refuses it first
], ids=["plain", "single-quoted", "block", "c1-plain", "escaped-key", "escaped-in-list", "escaped-surrogate"])
def test_a_control_character_is_refused_however_it_is_written(text, category, line):
    with pytest.raises(SubmissionError) as e:
        load_text(text, source="f.yaml", fmt="yaml")
    assert (e.value.category, e.value.line) == (category, line)
