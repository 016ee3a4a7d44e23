"""The answer-level corpus (``answers.yaml``, format in ``README.md``) as :class:`Entry`
objects, and the answer files the batch test grades them in."""
from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

from grader.keys.catalog import Catalog

CORPUS = Path(__file__).with_name("answers.yaml")
FILE_REFUSES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")  # as safe_load


@dataclass(frozen=True)
class Entry:
    cls: str
    id: str
    assignment: str
    question: str
    spec: dict
    category: str

    @property
    def name(self) -> str:
        return f"{self.cls}/{self.id}"

    def small(self) -> bool:
        """Small enough to put in an answer file (told without building the answer)."""
        if "text" in self.spec:
            return sum(len(piece) * int(times) for piece, times in self.spec["text"]) < 20_000
        return "list" not in self.spec or int(self.spec["list"]["times"]) < 2_000

    def raw(self):
        """The answer as the loader would deliver it (built anew: some are 50 MB)."""
        spec = self.spec
        if "raw" in spec:
            return spec["raw"]
        if "json" in spec:
            return json.loads(spec["json"], parse_float=str, parse_int=str)
        if "text" in spec:
            return "".join(piece * int(times) for piece, times in spec["text"])
        value = [spec["list"]["item"]] * int(spec["list"]["times"])
        for _ in range(int(spec["list"].get("depth", 1)) - 1):
            value = [value]
        return value


def load_corpus() -> tuple[dict, list[Entry]]:
    # BaseLoader: every scalar is text, as in a student's file; the grader's own loader would
    # (rightly) refuse the control characters some entries hold.
    doc = yaml.load(CORPUS.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    entries = []
    for cls, group in doc["classes"].items():
        for e in group["entries"]:
            spec = {k: e[k] for k in ("raw", "json", "text", "list") if k in e}
            assert len(spec) == 1, (cls, e["id"])
            entries.append(Entry(cls, e["id"], e.get("assignment", group["assignment"]),
                                 e.get("question", group["question"]), spec, e["category"]))
    return doc["classes"], entries


CLASSES, ENTRIES = load_corpus()


def class_files(folder: Path, catalog: Catalog) -> dict[str, dict[str, Entry]]:
    """One answer file per class (two when it also has JSON-only values): its entries spread
    over questions of the same kind where the category cannot depend on the question, else
    the class's first, middle and last entries in files of their own. Entries too big for a
    file, or holding characters a file may not hold, are left to the answer-level test."""
    made: dict[str, dict[str, Entry]] = {}
    by_class = defaultdict(list)
    for e in ENTRIES:
        if e.small() and not any(FILE_REFUSES.search(t) for t in strings(e.raw())):
            by_class[e.cls].append(e)
    for n, (cls, entries) in enumerate(by_class.items()):
        assignment = catalog.assignment(entries[0].assignment)
        kind = assignment.question(entries[0].question).kind
        if kind == "matrix" and all(e.assignment == entries[0].assignment for e in entries):
            slots = [q.id for q in assignment.questions if q.kind == "matrix"]
            chunks = [entries[i:i + len(slots)] for i in range(0, len(entries), len(slots))]
            groups = [[(slots[k], e) for k, e in enumerate(chunk)] for chunk in chunks]
        else:
            picks = {0, len(entries) // 2, len(entries) - 1}
            groups = [[(entries[i].question, entries[i])] for i in sorted(picks)]
        for g, group in enumerate(groups):
            for fmt in ("yaml", "json"):
                chosen = [(q, e) for q, e in group if ("json" in e.spec) == (fmt == "json")]
                if not chosen:
                    continue
                name = f"c{n:02d}-{cls}-{g}.{fmt}"
                doc = {"assignment": chosen[0][1].assignment,
                       "student": {"id": f"c{n}-{g}-{fmt}"},
                       "answers": {q: e.raw() for q, e in chosen}}
                if fmt == "json":
                    text = json.dumps(doc, ensure_ascii=False, indent=1)
                else:
                    text = yaml.safe_dump(doc, allow_unicode=True, width=10**9, sort_keys=False)
                (folder / name).write_text(text, encoding="utf-8")
                made[name] = {q: e for q, e in chosen}
    return made


def strings(value):
    """Every string in a loaded value (keys included)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from strings(v)


