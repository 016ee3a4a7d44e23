r"""Generate a synthetic class: N students x every assignment the catalog knows.

Run from the repository root::

    python bench/make_class.py 1000 /tmp/class1000            # seed 0
    python bench/make_class.py 10000 /tmp/class10k --seed 7 --jobs 2

Layout: ``OUTDIR/<assignment id>/<student id>.yaml`` (about 1 file in 10 is ``.json``, 1 in 20
``.yml``), one file per student per assignment; ``OUTDIR/.manifest.json`` (hidden, so ``grade``
never reads it) says what every file is and counts every category.

Everything is built from the real key: ``Catalog().key`` (printed as
:func:`grader.keys.key_text.answer_value` prints it, so a key copy scores full marks), the
misconception variants ``Catalog().variants`` (id -> question -> value) and the ``mistakes``
examples of symbolic questions; expression questions also draw on the rows of
``tests/judge/test_equivalence_table.py`` when it is there (its ``EQUIVALENT`` rows are other right
spellings, the other verdict groups wrong answers, ``MUST_NOT_PARSE`` malformed or hostile ones).

Each file has a *profile* (``key``: an exact copy of the key; ``rounded``: every number rounded
to 2-4 significant figures; ``strong``, ``average``, ``weak``: a mix; ``hostile``: mostly nasty
strings; ``broken``: a file the reader must reject). Profiles follow a fixed cycle of 50 (so a
class of any size has exact, reproducible shares: 10 % key, 10 % rounded, 30 % strong, 26 %
average, 16 % weak, 4 % hostile, 4 % broken), offset by 5 per assignment. Within a file each
question's answer is drawn from one *category*: ``right`` (the key in one of several notations),
``rounded``, ``misconception``, ``wrong``, ``malformed``, ``hostile`` or ``missing``, then
uniformly from that question's pool, which is built once per assignment (per student for an
assignment with per-student numbers such as ``mlp-random``: its pools come from the student's
own screened draw, ``Catalog(salt=...).for_student``, which costs ~40 ms per student).

Deterministic: student i's choices use ``random.Random(f"{seed}/{i}/{assignment}")``, so the
class does not depend on ``--jobs``, and a class of N students is the first N of any bigger one.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import re
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the working tree's grader, whether or not it is installed

from grader.keys.catalog import Catalog
from grader.keys.key_text import answer_value

TABLE = ROOT / "tests" / "judge" / "test_equivalence_table.py"
CATEGORIES = ("right", "rounded", "misconception", "wrong", "malformed", "hostile", "missing")
# per-answer category weights of each mixed profile (key, rounded and broken are special)
PROFILES = {
    "strong": (80, 7, 6, 3, 1, 0, 3),
    "average": (50, 10, 18, 10, 5, 1, 6),
    "weak": (20, 5, 25, 20, 10, 2, 18),
    "hostile": (10, 0, 5, 5, 30, 50, 0),
    "rounded": (0, 100, 0, 0, 0, 0, 0),
}
_HEAD = ["key", "strong", "average", "weak", "rounded", "broken", "hostile", "strong", "average", "key",
         "rounded", "strong", "average", "weak", "strong", "average", "key", "rounded", "weak", "strong"]
_SHARES = {"key": 5, "rounded": 5, "strong": 15, "average": 13, "weak": 8, "hostile": 2, "broken": 2}


def _cycle() -> list[str]:
    rest = [p for p, n in _SHARES.items() for _ in range(n - _HEAD.count(p))]
    random.Random(0).shuffle(rest)  # fixed: the cycle does not depend on --seed
    return _HEAD + rest


CYCLE = _cycle()
assert len(CYCLE) == 50 and Counter(CYCLE) == Counter(_SHARES)

FIRST = ["Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "John", "Katherine", "Claude",
         "Radia", "Ken", "Margaret", "Tim", "Hedy", "Dennis", "Shafi", "Leslie", "Sophie", "Yann"]
LAST = ["Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Allen", "Backus", "Johnson", "Shannon",
        "Perlman", "Thompson", "Hamilton", "Berners-Lee", "Lamarr", "Ritchie", "Goldwasser", "Lamport", "Wilson",
        "Zoë Ñúñez"]
NASTY_NAMES = ["=1+1", "@SUM(A1:A9)", "+33 cmd", "-2+3", "\tTabbed", "Robert'); DROP TABLE students;--",
               "\u202eevil\u202c", "李雷", "<script>alert(1)</script>"]

# Nasty answers, given to any question (numeric or symbolic).
HOSTILE = [
    "__import__('os').system('echo pwned')",
    "9**9**9",
    "1e999999",
    "1" * 5000,
    "(" * 300 + "1" + ")" * 300,
    "[" * 300 + "1" + "]" * 300,
    r"10^{10^{10^{10}}}",
    r"e^{e^{e^{e^{e^{99}}}}}",
    r"\hat{y}^{999999999}",
    '=HYPERLINK("http://example.invalid","click")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    r"\input{/etc/passwd}",
    "\uff10.\uff15",  # full-width 0.5
    "1 + " * 5000 + "1",
    "\u202e1.0\u202c",
    "\u00a0\u200b0.5\ufeff",  # no-break and zero-width spaces, a BOM inside
    "lambda: 0",
]


# ---------------------------------------------------------------------------------------------
# Rendering: a value is a str (text typed), a Num (a literal as typed), or a list of values
# ---------------------------------------------------------------------------------------------
class Num(str):
    """A literal written bare in the file (``0.1626``, ``1e-05``, ``nan``, ``true``)."""


_JSON_LITERAL = re.compile(r"-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$|true$|false$|null$")
_PLAIN_SAFE = re.compile(r"[ -~]*$")  # printable ASCII: safe in a single-quoted YAML scalar


def to_yaml(v) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(to_yaml(x) for x in v) + "]"
    if isinstance(v, Num):
        return str(v)
    if _PLAIN_SAFE.match(v):
        return "'" + v.replace("'", "''") + "'"
    return json.dumps(v)  # JSON's escapes are YAML double-quoted escapes (BMP only here)


def to_json(v) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(to_json(x) for x in v) + "]"
    if isinstance(v, Num) and _JSON_LITERAL.match(v):
        return str(v)
    return json.dumps(str(v))


def _literal(v):
    """Python values (as keyformat gives them) to rendering values: numbers become Num."""
    if isinstance(v, list):
        return [_literal(x) for x in v]
    if isinstance(v, bool) or v is None:
        return Num(json.dumps(v))
    if isinstance(v, (int, float)):
        return Num(repr(v))
    return v


def item(v) -> tuple[str, str]:
    v = _literal(v)
    return to_yaml(v), to_json(v)


def _fmt(x: float, sig: int | None) -> Num:
    return Num(repr(float(x)) if sig is None else f"{float(x):.{sig}g}")


def native(value: np.ndarray, sig: int | None = None):
    """As keyformat prints it (number, flat list for a column, list of rows), ``sig`` digits."""
    v = np.asarray(value, dtype=float)
    if v.shape == (1, 1):
        return _fmt(v[0, 0], sig)
    if v.shape[1] == 1:
        return [_fmt(x, sig) for x in v[:, 0]]
    return [[_fmt(x, sig) for x in row] for row in v]


def notations(value: np.ndarray, sig: int = 10) -> list:
    """The same matrix in Python, MATLAB, numpy and LaTeX text (``sig`` significant figures)."""
    v = np.asarray(value, dtype=float)
    rows = [[f"{x:.{sig}g}" for x in row] for row in v]
    py = "[" + ", ".join("[" + ", ".join(r) + "]" for r in rows) + "]"
    out = [py, "[" + "; ".join(" ".join(r) for r in rows) + "]", f"array({py})",
           r"\begin{bmatrix} " + r" \\ ".join(" & ".join(r) for r in rows) + r" \end{bmatrix}"]
    if v.shape[1] == 1 and v.shape[0] > 1:
        out.append("[" + " ".join(r[0] for r in rows) + "]'")  # a MATLAB row, transposed
    return out


# ---------------------------------------------------------------------------------------------
# Pools: per question, per category, the answers (rendered once)
# ---------------------------------------------------------------------------------------------
def load_table() -> dict:
    """(assignment, question) -> group -> texts from tests/judge/test_equivalence_table.py ({} if absent)."""
    if not TABLE.is_file():
        return {}
    try:
        spec = importlib.util.spec_from_file_location("_equivalence_table", TABLE)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    except Exception:  # noqa: BLE001 - the table is a bonus, not a requirement
        return {}
    out: dict = {}
    for group in ("EQUIVALENT", "TRANSPOSED", "NOT_EQUIVALENT", "SHAPE_MISMATCH", "MUST_NOT_PARSE"):
        for p in getattr(module, group, []):
            if any(getattr(m, "name", "") == "xfail" for m in p.marks):
                continue
            aid, qid, text, expected = p.values
            kind = {"EQUIVALENT": "right", "MUST_NOT_PARSE": "hostile" if expected == "limit" else "malformed"}
            out.setdefault((aid, qid), {}).setdefault(kind.get(group, "wrong"), []).append(text)
    return out


def _numeric_pools(entry, variants: dict, qid: str) -> dict:
    v = np.asarray(entry.value, dtype=float)
    r, c = v.shape
    pools = {"right": [native(v)] + notations(v),
             "rounded": [native(v, s) for s in (2, 3, 4)] + [notations(v, 4)[1]],
             "misconception": [native(vals[qid], 6) for vals in variants.values() if qid in vals]}
    wrong = [native(v * 1.1 + 0.05, 6), native(v - v.flat[0] - 0.5, 6)]
    if r > 1 and c > 1 and r != c:
        wrong.append(native(v.T, 6))  # wrong shape (maybe flagged as transposed)
    if v.size > 1:
        wrong.append(_fmt(v.flat[0], 6))  # a scalar for a matrix
    pools["wrong"] = wrong
    flat = [_fmt(x, 6) for x in v.ravel()]
    text = notations(v, 6)[0]
    malformed = [text[:-1], text.replace(",", ",,", 1) if "," in text else text + ",,", Num("true"), Num("null"),
                 [Num("nan")] + flat[1:], "about " + flat[0] + " each", "0.1.2",
                 r"\begin{bmatrix} " + " & ".join(flat[:2]) + r" \end{pmatrix}"]
    if r > 1 and c > 1:
        malformed.append([[Num(x) for x in flat[:c]], [Num(flat[c])]])  # ragged rows
    pools["malformed"] = malformed
    return pools


def _class_pools(entry) -> dict:
    classes = [int(x) for x in np.asarray(entry.value).ravel()]
    other = [c + 1 if c == 1 else 1 for c in classes]

    def one(cs):
        return Num(str(cs[0])) if len(cs) == 1 else [Num(str(x)) for x in cs]
    return {"right": [one(classes), str(classes[0]) if len(classes) == 1 else one(classes)],
            "wrong": [one(other)], "malformed": ["the first one", Num("1.5"), Num("true"), "class " + str(classes[0])]}


def _text_pools(a, q, entry, table: dict) -> dict:
    ref = answer_value(entry)
    rows = table.get((a.id, q.id), {})
    if q.kind == "manual":
        return {"right": [ref], "wrong": ["I don't know", "Use a bigger learning rate."],
                "malformed": ["   ", ""]}
    if q.kind == "shape":
        rr, cc = (str(x) for x in ref.split("x"))
        return {"right": [ref, rf"{rr} \times {cc}", rf"\mathbb{{R}}^{{{rr} \times {cc}}}"],
                "wrong": [f"{cc}x{rr}"], "malformed": [f"{rr} by by {cc}", "x5"]}
    return {"right": [ref] + [t for t in rows.get("right", []) if t != ref],
            "misconception": [text for _, text in q.mistakes],
            "wrong": rows.get("wrong", []) + [f"-({ref})"],
            "malformed": rows.get("malformed", []) + ["(" + ref, ref + r" \frac{", r"\hat{q} - y"],
            "hostile": rows.get("hostile", [])}


def build_pools(assignment, key, variants: dict, table: dict) -> tuple[dict, dict]:
    """(question -> category -> [(yaml, json)], question -> the key's (yaml, json))."""
    pools, keyed = {}, {}
    for q in assignment.questions:
        entry = key[q.id]
        if q.kind == "matrix":
            p = _numeric_pools(entry, variants, q.id)
        elif q.kind == "class":
            p = _class_pools(entry)
        else:
            p = _text_pools(assignment, q, entry, table)
        p["hostile"] = p.get("hostile", []) + HOSTILE
        keyed[q.id] = item(answer_value(entry))
        pools[q.id] = {cat: [item(x) for x in p[cat]] for cat in CATEGORIES if p.get(cat)}
    return pools, keyed


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------
FALLBACK = {"rounded": "right", "misconception": "wrong", "wrong": "malformed", "right": "malformed"}
BROKEN = ["yaml-syntax", "not-a-mapping", "no-student", "unknown-assignment", "non-utf8", "empty", "alias",
          "python-tag", "duplicate-keys", "json-truncated", "binary", "oversized", "control-char"]


def _broken(kind: str, aid: str, sid: str, first_qid: str, rng: random.Random) -> tuple[str, bytes]:
    """(suffix, content) of a file the reader must reject."""
    head = f"assignment: {aid}\nstudent: {{id: {sid}, name: Broken File}}\nanswers:\n"
    content = {
        "yaml-syntax": head + f"  {first_qid}: [0.2, 0.2\n  other: 1\n",
        "not-a-mapping": "- just\n- a list\n",
        "no-student": f"assignment: {aid}\nanswers: {{{first_qid}: 1}}\n",
        "unknown-assignment": head.replace(aid, aid + "-typo") + f"  {first_qid}: 1\n",
        "alias": head + f"  {first_qid}: &a [1, 2]\n  copy: *a\n",
        "python-tag": head + f"  {first_qid}: !!python/object/apply:os.system ['echo pwned']\n",
        "duplicate-keys": head + f"  {first_qid}: 1\n  {first_qid}: 2\n",
        "empty": "",
        "control-char": head + f"  {first_qid}: \"\\u0000\\u001b[31m\"\n",
    }
    if kind in content:
        return ".yaml", content[kind].encode()
    if kind == "non-utf8":
        return ".yaml", head.replace("Broken File", "Zo\xeb").encode("latin-1") + b"  x: '\xff\xfe'\n"
    if kind == "json-truncated":
        return ".json", json.dumps({"assignment": aid, "student": {"id": sid}, "answers": {first_qid: 1}})[:-7].encode()
    if kind == "binary":
        return ".yaml", bytes(rng.randrange(256) for _ in range(512))
    return ".yaml", b""  # oversized: made sparse by the writer


def _file(sid: str, name: str, aid: str, answers: list[tuple[str, tuple[str, str]]], fmt: str) -> str:
    if fmt == "json":
        body = ",\n    ".join(f"{json.dumps(q)}: {a[1]}" for q, a in answers)
        return (f'{{\n  "assignment": {json.dumps(aid)},\n  "student": {{"id": {json.dumps(sid)}, '
                f'"name": {json.dumps(name)}}},\n  "answers": {{\n    {body}\n  }}\n}}\n')
    lines = [f"assignment: {aid}", f"student: {{id: {sid}, name: {to_yaml(name)}}}", "answers:" + ("" if answers else " {}")]
    lines += [f"  {q}: {a[0]}" for q, a in answers]
    return "\n".join(lines) + "\n"


def student_id(i: int) -> str:
    return f"s{i:05d}"


def make_file(i: int, a_index: int, aid: str, pools: dict, keyed: dict, question_ids, seed: int, outdir: Path):
    """Write student i's file for one assignment; return (relative path, profile, category counts)."""
    rng = random.Random(f"{seed}/{i}/{aid}")
    sid = student_id(i)
    profile = CYCLE[(i + 5 * a_index) % len(CYCLE)]
    counts: Counter = Counter()
    folder = outdir / aid
    if profile == "broken":
        kind = BROKEN[(i // len(CYCLE) + a_index) % len(BROKEN)]
        suffix, content = _broken(kind, aid, sid, question_ids[0], rng)
        path = folder / f"{sid}{suffix}"
        path.write_bytes(content)
        if kind == "oversized":
            with open(path, "r+b") as fh:
                fh.truncate(1_100_000)  # sparse: over the reader's 1 MB limit, no disk used
        counts[f"broken:{kind}"] += 1
        return str(path.relative_to(outdir)), profile, counts
    fmt = rng.choices(("yaml", "json", "yml"), (85, 10, 5))[0]
    name = rng.choice(NASTY_NAMES) if profile == "hostile" else f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    answers = []
    if profile == "key":
        answers = [(q, keyed[q]) for q in question_ids]
        counts["right"] += len(answers)
    else:
        weights = PROFILES[profile]
        for q in question_ids:
            cat = rng.choices(CATEGORIES, weights)[0]
            if cat == "missing":
                counts["missing"] += 1
                continue
            pool = pools[q]
            while cat not in pool:
                cat = FALLBACK[cat]
            answers.append((q, rng.choice(pool[cat])))
            counts[cat] += 1
        if profile == "weak" and rng.random() < 0.2:
            answers.append((question_ids[0] + "_typo", item(Num("1"))))  # an unknown question id
            counts["unknown-question"] += 1
    path = folder / f"{sid}.{fmt}"
    path.write_text(_file(sid, name, aid, answers, "json" if fmt == "json" else "yaml"), encoding="utf-8")
    return str(path.relative_to(outdir)), profile, counts


# ---------------------------------------------------------------------------------------------
# The class
# ---------------------------------------------------------------------------------------------
_STATE: dict = {}  # set in the parent before workers fork: pools of the fixed assignments, etc.


def _work(task) -> list:
    """Generate files for (assignment index, id, student range); in the parent or a forked worker."""
    a_index, aid, lo, hi = task
    s = _STATE
    out = []
    if aid in s["fixed"]:
        pools, keyed, qids = s["fixed"][aid]
        for i in range(lo, hi):
            out.append(make_file(i, a_index, aid, pools, keyed, qids, s["seed"], s["outdir"]))
        return out
    catalog = Catalog(root=s["root"], salt=s["salt"])  # fresh per chunk: draws are cached per catalog
    template = catalog.assignment(aid)
    qids = template.question_ids
    for i in range(lo, hi):
        own = catalog.for_student(template, student_id(i))
        pools, keyed = build_pools(own, catalog.key(own), catalog.variants(own), s["table"])
        out.append(make_file(i, a_index, aid, pools, keyed, qids, s["seed"], s["outdir"]))
    return out


def generate(n: int, outdir: Path, *, seed: int = 0, salt: str = "", assignments: list[str] | None = None,
             jobs: int = 1, root: Path | None = None) -> dict:
    """Write the class; return the manifest (also written to ``OUTDIR/.manifest.json``)."""
    started = time.perf_counter()
    outdir = Path(outdir)
    root = Path(root or Path.cwd())
    catalog = Catalog(root=root, salt=salt)
    ids = assignments or catalog.known_ids()
    table = load_table()
    fixed = {}
    for aid in ids:
        a = catalog.assignment(aid)
        (outdir / aid).mkdir(parents=True, exist_ok=True)
        if not getattr(a, "randomized", False):
            key = catalog.key(a)
            fixed[aid] = (*build_pools(a, key, catalog.variants(a), table), a.question_ids)
    _STATE.update(fixed=fixed, seed=seed, salt=salt, outdir=outdir, root=root, table=table)
    chunk = 250
    tasks = [(k, aid, lo, min(n, lo + chunk)) for k, aid in enumerate(ids) for lo in range(0, n, chunk)]
    if jobs > 1 and len(tasks) > 1:
        import multiprocessing
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            results = list(pool.map(_work, tasks))
    else:
        results = [_work(t) for t in tasks]
    files, profiles, answers = {}, Counter(), Counter()
    for rows in results:
        for path, profile, counts in rows:
            files[path] = profile
            profiles[profile] += 1
            answers.update(counts)
    manifest = {"n": n, "seed": seed, "salt": salt, "assignments": ids,
                "profiles": dict(sorted(profiles.items())),
                "answers": {k: answers[k] for k in sorted(answers)},
                "answered": sum(v for k, v in answers.items() if k in CATEGORIES and k != "missing"),
                "files": files, "seconds": round(time.perf_counter() - started, 2)}
    (outdir / ".manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("n", type=int, help="students")
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--salt", default=os.environ.get("GRADER_SALT") or "bench",
                    help="course secret of per-student numbers (default: $GRADER_SALT, else bench; "
                         "grade with the same --salt)")
    ap.add_argument("--assignments", help="comma-separated ids (default: every known assignment)")
    ap.add_argument("--jobs", type=int, default=1, help="processes (the output is the same)")
    args = ap.parse_args(argv)
    m = generate(args.n, args.outdir, seed=args.seed, salt=args.salt, jobs=args.jobs,
                 assignments=args.assignments.split(",") if args.assignments else None)
    print(f"{len(m['files'])} files ({args.n} students x {len(m['assignments'])} assignments: "
          f"{', '.join(m['assignments'])}) in {args.outdir} in {m['seconds']:.1f} s")
    print("profiles: " + ", ".join(f"{k} {v}" for k, v in m["profiles"].items()))
    print(f"answers: {m['answered']} given; " + ", ".join(f"{k} {v}" for k, v in m["answers"].items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
