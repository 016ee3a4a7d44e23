"""The import contract (pyproject.toml's ``[tool.importlinter]``): the stages are layers, each
importing only those below it; only the CLI imports click; reports never import the orchestrator
or the workers. ``lint-imports`` checks it on the working tree in every test run, so CI does."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from importlib.util import find_spec
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _contracts() -> list[dict]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]


def _layered() -> set[str]:
    (layers,) = [c["layers"] for c in _contracts() if c["type"] == "layers"]
    return {name.strip() for layer in layers for name in layer.split("|")}


def _lint_imports() -> str | None:
    """The ``lint-imports`` script of this interpreter's environment (else on PATH), or None."""
    beside = Path(sys.executable).parent / "lint-imports"
    return str(beside) if beside.exists() else shutil.which("lint-imports")


@pytest.mark.skipif(find_spec("importlinter") is None or _lint_imports() is None,
                    reason="import-linter is not installed (pip install -e '.[test]' installs it)")
def test_the_import_contract_is_kept():
    # The working tree, not an installed copy; no cache folder left behind.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([_lint_imports(), "--no-cache"], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "0 broken" in run.stdout


def test_every_stage_of_the_package_is_in_a_layer():
    """A new package or top-level module must say where it sits (else the contract ignores it)."""
    top = {f"grader.{p.stem if p.is_file() else p.name}" for p in (ROOT / "grader").iterdir()
           if (p.is_dir() and (p / "__init__.py").exists()) or (p.suffix == ".py" and p.stem not in ("__init__", "__main__"))}
    assert top - _layered() == set()
    assert _layered() - top == set()  # and no layer names a module that is gone


def test_click_is_forbidden_to_every_layer_but_the_cli():
    (click,) = [c for c in _contracts() if c.get("forbidden_modules") == ["click"]]
    assert set(click["source_modules"]) == _layered() - {"grader.cli"}
