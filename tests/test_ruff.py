"""What the real ruff does to our ``# noqa: PBK...`` comments, so the README tells the truth.

Checked on ruff 0.17.6: RUF102 (invalid-rule-code, stable since 0.15) deletes
unknown codes from noqa comments; RUF100 (unused-noqa) drops them too when it
rewrites a comment that also names an unused ruff code. ``external = ["PBK"]``
stops both.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap

import pytest

SOURCE = textwrap.dedent(
    """\
    import time


    async def handler():
        time.sleep(1)  # noqa: PBK105
        time.sleep(2)  # noqa: PBK105, E501
    """
)


def ruff_path() -> str:
    found = shutil.which("ruff", path=os.path.dirname(sys.executable)) or shutil.which("ruff")
    if found is None:
        pytest.fail("ruff is a test dependency: pip install -e '.[test]'")
    return found


def fixed(tmp_path, pyproject: str, *select: str) -> list[str]:
    (tmp_path / "pyproject.toml").write_text(pyproject)
    (tmp_path / "app.py").write_text(SOURCE)
    proc = subprocess.run(
        [ruff_path(), "check", "--no-cache", "--select", ",".join(select), "--fix", "app.py"],
        cwd=tmp_path, capture_output=True, text=True,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return (tmp_path / "app.py").read_text().splitlines()[4:6]


WITH_EXTERNAL = '[tool.ruff.lint]\nexternal = ["PBK"]\n'
WITHOUT = "[tool.ruff.lint]\n"


def test_ruff_version_has_ruf102():
    out = subprocess.run([ruff_path(), "--version"], capture_output=True, text=True).stdout
    major, minor = (int(x) for x in out.split()[1].split(".")[:2])
    assert (major, minor) >= (0, 15), out


def test_with_external_ruff_keeps_our_noqa_comments(tmp_path):
    assert fixed(tmp_path, WITH_EXTERNAL, "RUF100", "RUF102") == [
        "    time.sleep(1)  # noqa: PBK105",
        "    time.sleep(2)  # noqa: PBK105",  # only the unused E501 went
    ]


def test_without_external_ruff_deletes_them(tmp_path):
    assert fixed(tmp_path, WITHOUT, "RUF100", "RUF102") == ["    time.sleep(1)", "    time.sleep(2)"]


def test_without_external_ruf102_alone_deletes_them(tmp_path):
    assert fixed(tmp_path, WITHOUT, "RUF102") == ["    time.sleep(1)", "    time.sleep(2)  # noqa: E501"]


def test_without_external_ruf100_drops_them_when_it_rewrites_a_comment(tmp_path):
    lines = fixed(tmp_path, WITHOUT, "RUF100")
    assert "PBK105" not in lines[1]


def test_with_external_the_noqa_still_silences_pbk(tmp_path):
    from python_backend_kit.cli.main import main

    fixed(tmp_path, WITH_EXTERNAL, "RUF100", "RUF102")
    cwd = os.getcwd()
    try:
        os.chdir(tmp_path)
        assert main(["check", "-q", "app.py"]) == 0
    finally:
        os.chdir(cwd)


def test_ruff_reports_pbk_codes_as_unknown_without_external(tmp_path):
    (tmp_path / "pyproject.toml").write_text(WITHOUT)
    (tmp_path / "app.py").write_text(SOURCE)
    proc = subprocess.run(
        [ruff_path(), "check", "--no-cache", "--select", "RUF102", "--output-format", "concise", "app.py"],
        cwd=tmp_path, capture_output=True, text=True,
    )
    assert proc.returncode == 1 and "RUF102" in proc.stdout and "PBK105" in proc.stdout
