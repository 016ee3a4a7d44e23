"""The Dockerfile runs the service: its entry point is `grade serve`, the arguments are options
the command accepts, the port it listens on is the one exposed, and it installs the extras that
exist (the image is not built in CI)."""
from __future__ import annotations

import json
import re
import tomllib

from grader.cli import cli
from tests.conftest import ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text()


def instruction(name: str) -> str:
    found = re.findall(rf"^{name}\s+(.+)$", DOCKERFILE, re.M)
    assert len(found) == 1, name
    return found[0]


def test_the_image_runs_grade_serve_on_the_exposed_port():
    entry, cmd = json.loads(instruction("ENTRYPOINT")), json.loads(instruction("CMD"))
    assert entry == ["grade", "serve"]
    context = cli.commands["serve"].make_context("serve", list(cmd))  # (raises on an unknown option)
    assert context.params["host"] == "0.0.0.0" and context.params["port"] == int(instruction("EXPOSE"))
    assert "GRADER_COURSE=/course" in instruction("ENV") and instruction("VOLUME") == "/course"


def test_the_image_installs_extras_that_exist():
    extras = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"])
    wanted = re.search(r'pip install [^"]*"\.\[([a-z,]+)\]"', instruction("RUN")).group(1).split(",")
    assert set(wanted) <= extras and "service" in wanted
