"""pyproject ships every package and data file the grader needs (a missing one only shows after
`pip install .`), and no assignment file or rubric: a student who installs the grader must not
hold a key. The package's sample assignments ship as public sheets only.

A real wheel is built (pip, in its own build environment) and its file list is checked."""
import subprocess
import sys
import zipfile

import pytest

from tests.conftest import ROOT


@pytest.fixture(scope="module")
def wheel_files(tmp_path_factory) -> set[str]:
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        pytest.skip(f"pip could not build a wheel here: {done.stderr.strip()[-300:]}")
    (wheel,) = out.glob("*.whl")
    return set(zipfile.ZipFile(wheel).namelist())


def test_every_module_and_data_file_is_in_the_wheel(wheel_files):
    wanted = {str(p.relative_to(ROOT)) for p in (ROOT / "grader").rglob("*")
              if p.is_file() and "__pycache__" not in p.parts and p.suffix in (".py", ".lark", ".json")}
    assert wanted - wheel_files == set()
    assert any(n.endswith("schemas/assignment.schema.json") for n in wheel_files)
    assert any(n.endswith(".lark") for n in wheel_files)


def test_the_wheel_holds_sheets_and_no_assignment_file_or_rubric(wheel_files):
    sheets = sorted(n.rsplit("/", 1)[1] for n in wheel_files if n.endswith(".sheet.json"))
    assert sheets == [f"{p.stem}.sheet.json" for p in sorted((ROOT / "reference").glob("*.yaml"))]
    assert not [n for n in wheel_files if n.endswith((".yaml", ".yml"))]
    assert not [n for n in wheel_files if n.startswith(("reference/", "rubrics/", "tests/", "submissions/"))]
