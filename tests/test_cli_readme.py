"""The README's setup section, run as written on a small sample project.

Every code block between ``<!-- setup:start -->`` and ``<!-- setup:end -->``
is used in order: ``sh`` lines run in bash, ``ini`` becomes ``setup.cfg``,
``toml`` is added to ``pyproject.toml``, ``yaml`` becomes
``.pre-commit-config.yaml`` and runs through pre-commit. Two substitutions
only: ``pip install python-backend-kit`` is skipped (the package under test
is already installed), and the pbk hook's GitHub URL and release tag are
replaced by this checkout and its HEAD commit (the tests run offline from
GitHub). Each block is then checked for doing what the README says.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BIN = Path(sys.executable).parent
HOOK_URL = "https://github.com/python-backend-kit/python-backend-kit"

MAIN = textwrap.dedent(
    """\
    import asyncio
    import time

    from legacy.retry import backoff_sleep


    async def handler():
        time.sleep(1)
        time.sleep(2)  # noqa: PBK105
        backoff_sleep()
        await asyncio.sleep(0)
    """
)
TEST = "import time\n\n\nasync def test_slow():\n    time.sleep(1)\n"


def setup_blocks() -> list[tuple[str, str]]:
    text = README.read_text(encoding="utf-8")
    start, end = text.index("<!-- setup:start -->"), text.index("<!-- setup:end -->")
    return re.findall(r"^```(\w+)\n(.*?)^```$", text[start:end], flags=re.S | re.M)


def sample_project(root: Path) -> Path:
    files = {
        "pyproject.toml": "[project]\nname = 'sample'\nversion = '0'\nrequires-python = '>=3.10'\n",
        "src/myapp/__init__.py": "",
        "src/myapp/main.py": MAIN,
        "src/legacy/__init__.py": "",
        "src/legacy/retry.py": "import time\n\n\ndef backoff_sleep():\n    time.sleep(1)\n",
        "tests/test_main.py": TEST,
        "migrations/m0001.py": TEST,
    }
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content)
    return root


def env() -> dict[str, str]:
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


def sh(project: Path, command: str) -> subprocess.CompletedProcess:
    proc = subprocess.run(["bash", "-c", command], cwd=project, capture_output=True, text=True, env=env())
    assert proc.returncode in (0, 1), f"{command}\n{proc.stdout}\n{proc.stderr}"
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def reported(project: Path, command: str) -> set[tuple[str, str]]:
    """(file, code) pairs in concise/flake8 output."""
    out = sh(project, command).stdout
    return {(m.group(1), m.group(2)) for m in re.finditer(r"^(\S+?):\d+:\d+: (\w+)", out, flags=re.M)}


def git(project: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=project, check=True, capture_output=True)


def test_the_setup_section_has_every_kind_of_block():
    kinds = [kind for kind, _ in setup_blocks()]
    assert kinds.count("sh") >= 3 and "ini" in kinds and kinds.count("toml") == 2 and kinds.count("yaml") == 2


def test_shell_and_config_snippets_run_as_written(tmp_path):
    project = sample_project(tmp_path)
    main_py = "src/myapp/main.py"
    for kind, block in setup_blocks():
        if kind == "sh":
            for line in block.splitlines():
                command = line.split("  #")[0].strip()
                if not command or command.startswith("pip install"):
                    continue
                sh(project, command)
            if "flake8 --select PBK src/" in block:
                assert (main_py, "PBK105") in reported(project, "flake8 --select PBK src/")
            if "pbk check --output-format sarif" in block:
                assert (project / "pbk.sarif").read_text().startswith("{")
            if "ruff check --select RUF100,RUF102 --fix ." in block:
                # [tool.ruff.lint] external = ["PBK"] is in place: our noqa survived the fix
                assert "time.sleep(2)  # noqa: PBK105" in (project / main_py).read_text()
        elif kind == "ini":
            (project / "setup.cfg").write_text(block)
            found = reported(project, "flake8 src tests")
            assert (main_py, "PBK105") in found  # time.sleep and the configured backoff_sleep
            assert ("tests/test_main.py", "PBK105") not in found  # per-file-ignores
            out = sh(project, "flake8 src").stdout
            assert "backoff_sleep() blocks the event loop; use await asyncio.sleep()" in out
            assert ":9:" not in out  # the noqa line
            (project / "setup.cfg").unlink()
        elif kind == "toml":
            with open(project / "pyproject.toml", "a") as fh:
                fh.write("\n" + block)
            if "[tool.pbk]" in block:
                found = reported(project, "pbk check -q .")
                assert (main_py, "PBK105") in found
                assert ("tests/test_main.py", "PBK105") not in found  # per-file-ignores
                assert not any(path.startswith("migrations/") for path, _ in found)  # exclude
                assert "backoff_sleep() blocks" in sh(project, "pbk check -q src").stdout  # blocking-calls
                # flake8 reads the rule options from [tool.pbk] too
                assert "backoff_sleep() blocks" in sh(project, "flake8 --select PBK src").stdout
            if "[tool.ruff.lint]" in block:
                assert sh(project, "ruff check --select RUF100 .").returncode == 0


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(), reason="needs a git checkout")
def test_pre_commit_snippets_run(tmp_path):
    project = sample_project(tmp_path / "project")
    with open(project / "pyproject.toml", "a") as fh:
        fh.write("\n[tool.pbk]\nexclude = ['migrations']\n")
    git(project, "init", "-q")
    git(project, "add", "-A")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    yamls = [block for kind, block in setup_blocks() if kind == "yaml"]
    for block in yamls:
        config = block.replace(HOOK_URL, str(ROOT)).replace("rev: v0.1.0", f"rev: {head}")
        (project / ".pre-commit-config.yaml").write_text(config)
        proc = subprocess.run(
            [str(BIN / "pre-commit"), "run", "--all-files"],
            cwd=project,
            capture_output=True,
            text=True,
            env={**env(), "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")},
        )
        assert proc.returncode == 1, proc.stdout + proc.stderr  # the sample has findings
        assert "PBK105" in proc.stdout and "Failed" in proc.stdout, proc.stdout
        assert "src/myapp/main.py:8:5: PBK105" in proc.stdout
        if "id: pbk" in block:  # the hook passes --force-exclude: [tool.pbk] exclude holds
            assert "migrations/" not in proc.stdout and "tests/test_main.py" in proc.stdout


def test_the_ruff_overlap_list_names_every_rule_with_a_ruff_overlap():
    from python_backend_kit.catalog import bundled_rules

    text = README.read_text(encoding="utf-8")
    block = text[text.index("<!-- ruff-overlaps:start -->") : text.index("<!-- ruff-overlaps:end -->")]
    for code, rule in bundled_rules().items():
        for overlap in rule.overlaps:
            if overlap.startswith("ruff:"):
                assert f"{code} (" in block and overlap.split(":", 1)[1].strip() in block, code
