"""A plain (non-editable) wheel carries the whole skill bundle as package
data, so `pbk` and the installer work without a checkout. Builds the wheel
with pip (takes a few seconds)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from python_backend_kit.skill import bundle_files, forbidden_files

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    [path] = out.glob("python_backend_kit-*.whl")
    with zipfile.ZipFile(path) as archive:
        yield archive


def test_wheel_contains_every_bundled_file(wheel):
    names = set(wheel.namelist())
    missing = [str(f) for f in bundle_files(ROOT) if f"python_backend_kit/bundle/{f.as_posix()}" not in names]
    assert missing == []


def test_wheel_bundle_has_no_junk_and_no_dropped_names(wheel):
    bundled = [Path(n).relative_to("python_backend_kit/bundle") for n in wheel.namelist() if n.startswith("python_backend_kit/bundle/")]
    assert bundled
    assert forbidden_files(bundled) == []
    assert not [p for p in bundled if "__pycache__" in p.parts or p.suffix in (".pyc", ".db") or p.name == ".gitkeep"]


def test_wheel_bundle_is_byte_identical_to_the_checkout(wheel):
    for relative in bundle_files(ROOT):
        assert wheel.read(f"python_backend_kit/bundle/{relative.as_posix()}") == (ROOT / relative).read_bytes(), relative
