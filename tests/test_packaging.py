"""pyproject ships every package and data file the grader needs (a missing one only shows after `pip install .`)."""
import tomllib

from tests.conftest import ROOT


def _config():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_grader_package_is_listed():
    packages = set(_config()["packages"])
    found = {".".join(p.relative_to(ROOT).parts[:-1]) for p in (ROOT / "grader").rglob("__init__.py")}
    assert found <= packages, f"add to [tool.setuptools] packages: {sorted(found - packages)}"


def test_data_files_are_shipped():
    data = _config()["package-data"]
    for pattern, package in [("*.json", "grader.schemas"), ("*.lark", "grader.engine"), ("*.lark", "grader.parse")]:
        assert pattern in data[package]
    assert _config()["package-dir"] == {"grader.shipped.reference": "reference", "grader.shipped.rubrics": "rubrics"}
