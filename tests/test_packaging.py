"""pyproject ships every package and data file the grader needs (a missing one only shows after
`pip install .`), and no assignment file or rubric: a student who installs the grader must not
hold a key. The package's sample assignments ship as public sheets only."""
import tomllib

from tests.conftest import ROOT


def _config():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_grader_package_is_listed():
    packages = set(_config()["packages"])
    found = {".".join(p.relative_to(ROOT).parts[:-1]) for p in (ROOT / "grader").rglob("__init__.py")}
    assert found <= packages, f"add to [tool.setuptools] packages: {sorted(found - packages)}"


def test_data_files_are_shipped_and_no_key():
    config = _config()
    data = config["package-data"]
    for pattern, package in [("*.json", "grader.schemas"), ("*.lark", "grader.engine"), ("*.lark", "grader.parse"),
                             ("*.sheet.json", "grader.sheets")]:
        assert pattern in data[package]
    assert "package-dir" not in config  # the repo's reference/ and rubrics/ are never mapped into the package
    assert not [p for p in config["packages"] if "reference" in p or "rubric" in p or "shipped" in p]


def test_the_package_holds_sheets_and_no_assignment_file_or_rubric():
    """What pyproject maps into the package: grader/ only, where the sample assignments are
    public sheets and no file holds a key."""
    package = ROOT / "grader"
    sheets = sorted(p.name for p in (package / "sheets").glob("*.sheet.json"))
    assert sheets == [f"{p.stem}.sheet.json" for p in sorted((ROOT / "reference").glob("*.yaml"))]
    assert not list(package.rglob("*.yaml")) and not list(package.rglob("*.yml"))
