"""Shared fixtures: the shipped catalog and the mlp-numeric key, built once per session."""
from pathlib import Path

import pytest

from grader.keys.catalog import Catalog

ROOT = Path(__file__).resolve().parent.parent
SUBMISSIONS = ROOT / "submissions"
SAMPLE_SETTINGS = SUBMISSIONS / "grader.yaml"  # the sample class's settings (unsalted on purpose), not an answer file
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog(root=ROOT)


@pytest.fixture(scope="session")
def mlp_numeric(catalog):
    return catalog.assignment("mlp-numeric")


@pytest.fixture(scope="session")
def mlp_key(catalog, mlp_numeric):
    return catalog.key(mlp_numeric)


SALT = "course-secret"  # the course's salt in tests of randomized assignments


@pytest.fixture(scope="module")
def salted() -> Catalog:
    """The sample course with a salt, as a course's machine has it."""
    return Catalog(root=ROOT, salt=SALT)


@pytest.fixture
def commands_use(monkeypatch, salted):
    """CLI commands run in this test grade with ``salted`` (whatever folder or salt they are given)."""
    import grader.keys.catalog

    monkeypatch.setattr(grader.keys.catalog, "Catalog", lambda **kw: salted)
    return salted
