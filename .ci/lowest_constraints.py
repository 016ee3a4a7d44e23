"""Print a pip constraints file pinning every dependency to the lowest version pyproject.toml
allows (its ``>=`` bounds, core and test extras), so CI can prove the bounds are true."""
from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

project = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())["project"]
wanted = list(project["dependencies"]) + [d for extra in project.get("optional-dependencies", {}).values() for d in extra]
for requirement in wanted:
    match = re.fullmatch(r"\s*([A-Za-z0-9_.\-\[\]]+?)(?:\[[^\]]*\])?\s*>=\s*([0-9][^,;\s]*)\s*(?:,.*)?", requirement)
    if not match:
        sys.exit(f"pyproject.toml: {requirement!r} has no lower bound (>=): every dependency needs one")
    print(f"{match.group(1)}=={match.group(2)}")
