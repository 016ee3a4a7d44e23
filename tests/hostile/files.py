r"""File-level hostile inputs, made in a temporary folder by the tests.

Each :class:`FileCase` is a name (``str``, or ``bytes`` for a name that is not UTF-8), a
maker that creates the entry at a path, and the category of the ``SubmissionError`` its
gradebook row must carry (``None``: the file is read and graded; its answers are then checked
by ``answers``, question id -> the AnswerError category it must get, or ``"ok"`` (full
marks), or the verdict it must get with 0 points: ``"missing"``, ``"needs review"``, ``"wrong
shape"``). ``needs`` names a capability the case needs (``root`` for device files). A hidden
name (``HIDDEN``) gets no row at all.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from grader.io.safe_load import MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES

ROOT = Path(__file__).resolve().parents[2]
GOOD = ROOT / "submissions" / "s1001_all_correct.yaml"
HIDDEN = "hidden"  # the category of an entry that is ignored without a row
HEAD = "assignment: mlp-numeric\nstudent: {id: %s}\nanswers:\n"


@dataclass(frozen=True)
class FileCase:
    id: str
    name: str | bytes
    make: Callable[[Path], None]
    category: str | None
    answers: dict = field(default_factory=dict)
    needs: str = ""


def text(content: str, encoding: str = "utf-8") -> Callable[[Path], None]:
    return lambda path: path.write_bytes(content.encode(encoding))


def data(content: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(content)


def answer_file(sid: str, body: str) -> str:
    return HEAD % sid + body


def _symlink(target: str) -> Callable[[Path], None]:
    return lambda path: path.symlink_to(target)


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _device(path: Path) -> None:
    import stat
    os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 3))  # like /dev/null


def _sized(n: int, line: bool = False) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        head = answer_file("sbig", "  ex1a.z1: ").encode()
        with open(path, "wb") as fh:
            fh.write(head)
            fh.seek(n - 1)  # sparse: a 50 MB line costs no disk
            fh.write(b"1" if line else b"\n")
    return make


def _good_copy(sid: str, prefix: bytes = b"", crlf: bool = False) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        body = GOOD.read_text(encoding="utf-8").replace("id: s1001", f"id: {sid}")
        raw = body.replace("\n", "\r\n") if crlf else body
        path.write_bytes(prefix + raw.encode("utf-8"))
    return make


def _billion_laughs() -> str:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 30)]
    return "\n".join(lines) + "\n"


def _many_keys(n: int) -> str:
    return answer_file("smany", "  {" + ",".join(f"{i:x}: 1" for i in range(n)) + "}\n")


def _deep_yaml(depth: int) -> str:
    return answer_file("sdeep", "  ex1a.z1: " + "[" * depth + "1" + "]" * depth + "\n")


YAML11 = answer_file("syaml11", """\
  ex1a.z1: no
  ex1a.x1: 2:30
  ex1a.z2: 2024-01-01
  ex1a.x2: 0o17
  ex1a.delta2: 1_000
  ex1a.delta1: [yes, off, ~]
  ex1a.dW2: .inf
  ex1a.db2: [0x1F, 0b11]
  ex1a.dW1: 190:20:30
  ex1a.db1: 2001-12-14t21:59:43.10-05:00
  ex1b.class: 0o1
""")
YAML11_CATEGORIES = {"ex1a.z1": "value", "ex1a.x1": "syntax", "ex1a.z2": "syntax",
                     "ex1a.x2": "syntax", "ex1a.delta2": "syntax", "ex1a.delta1": "value",
                     "ex1a.dW2": "value", "ex1a.db2": "syntax", "ex1a.dW1": "syntax",
                     "ex1a.db1": "syntax", "ex1b.class": "syntax"}

JSON_NUMBERS = json.dumps({"assignment": "mlp-numeric", "student": {"id": "sjsonnum"}}
                          )[:-1] + ', "answers": {"ex1a.z1": 1e999999, "ex1a.x1": -1e-999999, ' \
    '"ex1a.z2": 123456789012345678901234567890123456789, "ex1b.class": 1.5e3, ' \
    '"ex1a.x2": [1e400, 2], "ex1a.delta2": [true, null]}}'
JSON_NUMBERS_CATEGORIES = {"ex1a.z1": "limit", "ex1a.x1": "limit", "ex1a.z2": "limit",
                           "ex1b.class": "value", "ex1a.x2": "limit", "ex1a.delta2": "value"}

FORMULA_ID = "=cmd|'calc'!A0"
FORMULA = answer_file(json.dumps(FORMULA_ID), "  ex1a.z1: [0.2, 0.2, 0.2]\n").replace(
    "student: {id: ", "student: {name: \"=cmd|' /C calc'!A0\", email: \"@SUM(1+1)\", id: ")
SCRIPT = answer_file('"<script>"', "  ex1a.z1: [0.2, 0.2, 0.2]\n  task: x\n").replace(
    "student: {id: ", 'student: {name: "<script>alert(1)</script>", id: ')

MANUAL_FORMULA = '=HYPERLINK("http://evil","x")'
MANUAL = answer_file("smanual", f"  task3.blowup: {json.dumps(MANUAL_FORMULA)}\n").replace(
    "mlp-numeric", "backprop-general")

FILE_CASES = [
    # names and kinds of entries: skipped, never opened
    FileCase("symlink-passwd", "link.yaml", _symlink("/etc/passwd"), "file"),
    FileCase("symlink-dev-zero", "zero.yaml", _symlink("/dev/zero"), "file"),
    FileCase("symlink-folder", "etc", _symlink("/etc"), "file"),
    FileCase("symlink-dangling", "gone.json", _symlink("/nonexistent/x.json"), "file"),
    FileCase("fifo", "pipe.yaml", _fifo, "file"),
    FileCase("device", "null.yaml", _device, "file", needs="root"),
    FileCase("name-not-utf8", b"s\xff\xfe.yaml", _good_copy("snameutf8"), "name"),
    FileCase("name-newline", "s1\nfake row.yaml", _good_copy("snamenl"), "name"),
    FileCase("name-cr-suffix", "s1.yaml\r", _good_copy("snamecr"), "name"),
    FileCase("name-escape", "s1\x1b[2J.yaml", _good_copy("snameesc"), "name"),
    FileCase("name-rtl", "s1\u202elmth.yaml", _good_copy("snamertl"), "name"),
    FileCase("name-hidden-dotdot", "..s1..yaml", _good_copy("snamedots"), HIDDEN),
    FileCase("name-inner-dotdot", "a..b.yaml", _good_copy("snamedots2"), "name"),
    # sizes and encodings
    FileCase("oversized", "big.yaml", _sized(MAX_FILE_BYTES + 1), "size"),
    FileCase("line-50mb", "line.yaml", _sized(50_000_000, line=True), "size"),
    FileCase("latin1", "latin1.yaml", text(answer_file("slatin", "  ex1a.z1: 0.2\n") +
                                           "# Zoë\n", "latin-1"), "encoding"),
    FileCase("cp1252-quotes", "quotes.yaml", data(b"assignment: mlp-numeric\n\x93x\x94\n"),
             "encoding"),
    FileCase("utf16-bom", "u16.yaml", text(answer_file("su16", ""), "utf-16"), "encoding"),
    FileCase("utf16le-no-bom", "u16le.json", text('{"assignment": "mlp-numeric"}', "utf-16-le"),
             "encoding"),
    FileCase("utf32", "u32.yaml", text("assignment: mlp-numeric\n", "utf-32"), "encoding"),
    FileCase("nul-bytes", "nul.yaml", data(b"assignment: mlp-numeric\x00\n"), "encoding"),
    FileCase("random-binary", "bin.json", data(bytes(range(256)) * 4), "encoding"),
    FileCase("utf8-bom", "bom.yaml", _good_copy("sbom", b"\xef\xbb\xbf"), None),
    FileCase("crlf", "crlf.yaml", _good_copy("scrlf", crlf=True), None),
    FileCase("double-bom", "bom2.yaml", _good_copy("sbom2", b"\xef\xbb\xbf" * 2), None),  # YAML drops it
    FileCase("empty", "empty.yaml", data(b""), "empty"),
    FileCase("whitespace-only", "blank.json", data(b" \n\t\n"), "empty"),
    # YAML features that run code, blow up or change answers
    FileCase("billion-laughs", "lol.yaml", text(_billion_laughs()), "alias"),
    FileCase("anchor-alias", "alias.yaml", text(answer_file("salias", "  ex1a.z1: &a [1, 2]\n"
                                                            "  ex1a.x1: *a\n")), "alias"),
    FileCase("merge-key", "merge.yaml", text(answer_file("smerge", "  <<: {ex1a.z1: 1}\n")),
             None, {"ex1a.z1": "missing"}),  # '<<' is a key like any other: nothing merged
    FileCase("python-object", "pyobj.yaml", text(answer_file(
        "spy", "  ex1a.z1: !!python/object/apply:os.system ['touch /tmp/pwned']\n")), "tag"),
    FileCase("python-name", "pyname.yaml", text("!!python/name:os.system\n"), "tag"),
    FileCase("python-module", "pymod.yaml", text("x: !!python/module:os\n"), "tag"),
    FileCase("custom-tag", "tag.yaml", text(answer_file("stag", "  ex1a.z1: !eval 1+1\n")), "tag"),
    FileCase("int-tag", "inttag.yaml", text(answer_file("sint", "  ex1a.z1: !!int 3\n")), "tag"),
    FileCase("duplicate-key", "dup.yaml", text(answer_file("sdup", "  ex1a.z1: [1, 2, 3]\n"
                                                           "  ex1a.z1: [0.2, 0.2, 0.2]\n")),
             "duplicate-key"),
    FileCase("duplicate-top-key", "dup2.yaml", text(answer_file("sdup2", "  ex1a.z1: 1\n") +
                                                    "assignment: softmax-ce\n"), "duplicate-key"),
    FileCase("deep-yaml", "deep.yaml", text(_deep_yaml(MAX_DEPTH + 1)), "limit"),
    FileCase("deep-yaml-1e5", "deep5.yaml", text(_deep_yaml(100_000)), "limit"),
    FileCase("keys-1e5", "keys.yaml", text(_many_keys(100_000)), "limit"),
    FileCase("keys-2000", "keys2k.yaml", text(_many_keys(2000)), "schema"),
    FileCase("nodes-over-limit", "nodes.json", text('{"a": [' + "1," * MAX_NODES + "1]}"), "limit"),
    FileCase("two-documents", "two.yaml", text(answer_file("stwo", "  ex1a.z1: 1\n") + "---\n"
                                               "assignment: softmax-ce\n"), "yaml"),
    FileCase("yaml-syntax", "syntax.yaml", text(answer_file("ssyn", "  ex1a.z1: [1, 2\n")), "yaml"),
    FileCase("escape-control", "esc.yaml", text(answer_file("sesc", '  ex1a.z1: "\\e[2J1"\n')),
             "encoding"),
    FileCase("escape-nul-name", "nulname.yaml", text(HEAD.replace("id: %s", 'id: s1, name: "a\\0b"')
                                                     + "  ex1a.z1: 1\n"), "encoding"),
    FileCase("yaml11-coercions", "yaml11.yaml", text(YAML11), None, YAML11_CATEGORIES),
    # JSON
    FileCase("json-nan", "nan.json", text('{"assignment": "mlp-numeric", "answers": {"ex1a.z1": NaN}}'),
             "json"),
    FileCase("json-infinity", "inf.json", text('{"answers": {"ex1a.z1": [1, -Infinity]}}'), "json"),
    FileCase("json-duplicate", "dup.json", text('{"assignment": "mlp-numeric", "assignment": "x"}'),
             "duplicate-key"),
    FileCase("json-deep", "deep.json", text("[" * 100_000 + "]" * 100_000), "limit"),
    FileCase("json-surrogate", "sur.json", text(
        '{"assignment": "mlp-numeric", "student": {"id": "s\\ud800"}, "answers": {}}'), "encoding"),
    FileCase("json-escape", "esc.json", text(
        '{"assignment": "mlp-numeric", "student": {"id": "s", "name": "\\u001b]0;pwned\\u0007"}, '
        '"answers": {}}'), "encoding"),
    FileCase("json-trailing-comma", "comma.json", text('{"assignment": "mlp-numeric",}'), "json"),
    FileCase("json-numbers", "numbers.json", text(JSON_NUMBERS), None, JSON_NUMBERS_CATEGORIES),
    # schema: ids, unknown assignment, answers of the wrong kind
    FileCase("id-path", "idpath.yaml", text(answer_file('"../../etc/passwd"', "  ex1a.z1: 1\n")),
             "schema"),
    FileCase("id-too-long", "idlong.yaml", text(answer_file("s" * 65, "  ex1a.z1: 1\n")), "schema"),
    FileCase("assignment-path", "apath.yaml", text(answer_file("sap", "  ex1a.z1: 1\n").replace(
        "mlp-numeric", "../../etc/passwd")), "schema"),
    FileCase("assignment-unknown", "aunk.yaml", text(answer_file("sau", "  ex1a.z1: 1\n").replace(
        "mlp-numeric", "no-such-assignment")), "assignment"),
    FileCase("answers-a-list", "alist.yaml", text(HEAD % "slist" + "  - 1\n"), "schema"),
    FileCase("top-level-list", "top.yaml", text("- 1\n- 2\n"), "schema"),
    FileCase("formula-ids", "formula.yaml", text(FORMULA), None, {"ex1a.z1": "ok"}),
    FileCase("script-name", "script.yaml", text(SCRIPT), None, {"ex1a.z1": "ok"}),
    FileCase("scalar-for-matrix", "scalar.yaml", text(answer_file("sscalar", "  ex1a.W2_new: 0.5\n"
                                                                "  ex1a.dW1: [0.1, 0.2]\n")), None,
             {"ex1a.W2_new": "wrong shape", "ex1a.dW1": "wrong shape"}),
    FileCase("formula-manual-answer", "manual.yaml", text(MANUAL), None, {"task3.blowup": "needs review"}),
]
