"""Where the skill bundle (SKILL.md, rules/, ...) lives at run time.

An installed wheel carries the bundle inside the package as
``python_backend_kit/bundle``; an editable install or a checkout reads it
from the repository root two levels above this file.
"""

from __future__ import annotations

from pathlib import Path

BUNDLE_PARTS = ("SKILL.md", "rules", "checklists", "references", "examples")

_PACKAGE_DIR = Path(__file__).resolve().parent


def bundle_root() -> Path:
    packaged = _PACKAGE_DIR / "bundle"
    if (packaged / "rules").is_dir():
        return packaged
    checkout = _PACKAGE_DIR.parent.parent
    if (checkout / "rules").is_dir():
        return checkout
    raise FileNotFoundError(
        f"python-backend-kit: rule files not found in {packaged} or {checkout}; "
        "the installation is incomplete"
    )


def rules_dir() -> Path:
    return bundle_root() / "rules"
