"""The flake8 door, driven through the real flake8 command."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

BAD = textwrap.dedent(
    """\
    import asyncio
    import time


    async def handler():
        time.sleep(1)
        time.sleep(2)  # noqa: PBK105
        asyncio.create_task(handler())
    """
)


def flake8(tmp_path, *args, source=BAD, name="app.py"):
    (tmp_path / name).write_text(source)
    proc = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", *args, name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    return sorted(line.split(": ", 1)[0].split(":", 1)[1] + " " + line.split(": ", 1)[1].split()[0] for line in proc.stdout.splitlines())


def test_select_pbk(tmp_path):
    assert flake8(tmp_path, "--select", "PBK") == ["6:5 PBK105", "8:5 PBK104"]


def test_message_text_comes_from_the_rule_file(tmp_path):
    (tmp_path / "app.py").write_text(BAD)
    out = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "PBK105", "app.py"],
        cwd=tmp_path, capture_output=True, text=True,
    ).stdout
    assert out == "app.py:6:5: PBK105 time.sleep() blocks the event loop; use await asyncio.sleep()\n"


def test_default_selection_includes_default_rules(tmp_path):
    assert "6:5 PBK105" in flake8(tmp_path)


def test_ignore_and_extend_select(tmp_path):
    assert flake8(tmp_path, "--select", "PBK", "--ignore", "PBK104") == ["6:5 PBK105"]
    assert flake8(tmp_path, "--select", "E501", "--extend-select", "PBK104") == ["8:5 PBK104"]


def test_per_file_ignores(tmp_path):
    assert flake8(tmp_path, "--select", "PBK", "--per-file-ignores", "app.py:PBK105") == ["8:5 PBK104"]


def test_noqa_bare_and_specific(tmp_path):
    source = BAD.replace("time.sleep(1)\n", "time.sleep(1)  # noqa\n")
    assert flake8(tmp_path, "--select", "PBK", source=source) == ["8:5 PBK104"]


def test_parallel_jobs(tmp_path):
    for i in range(4):
        (tmp_path / f"m{i}.py").write_text(BAD)
    proc = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "PBK", "-j", "2", "."],
        cwd=tmp_path, capture_output=True, text=True,
    )
    assert proc.returncode == 1, proc.stderr
    assert len(proc.stdout.splitlines()) == 4 * 2


def test_syntax_error_is_flake8s_e999_and_plugin_does_not_crash(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "PBK,E999", "bad.py"],
        cwd=tmp_path, capture_output=True, text=True, input=None,
    ) if (tmp_path / "bad.py").write_text("async def (:\n") else None
    assert "E999" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_plugin_is_registered():
    proc = subprocess.run([sys.executable, "-m", "flake8", "--version"], capture_output=True, text=True)
    assert "python-backend-kit" in proc.stdout.replace("\n", "")


def test_internal_error_in_one_rule_keeps_the_others(monkeypatch):
    import ast

    from python_backend_kit.checks import load_checks
    from python_backend_kit.checks.registry import REGISTRY
    from python_backend_kit.flake8_plugin import Flake8Plugin

    load_checks()
    broken = REGISTRY["PBK104"]

    def explode(self, node):
        raise ValueError("boom")

    monkeypatch.setattr(broken, "visit_Expr", explode)
    monkeypatch.setattr(broken, "handlers", {"visit": [(ast.Expr, "visit_Expr")], "leave": []})
    results = list(Flake8Plugin(ast.parse(BAD), "app.py").run())
    texts = [r[2] for r in results]
    assert any(t.startswith("PBK105 ") for t in texts)
    assert sum(t.startswith("PBK000 internal error in PBK104: ValueError: boom") for t in texts) == 1


def test_run_never_raises(monkeypatch):
    import ast

    from python_backend_kit import flake8_plugin

    def broken(*args, **kwargs):
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(flake8_plugin, "FileCheck", broken)
    results = list(flake8_plugin.Flake8Plugin(ast.parse(BAD), "app.py").run())
    assert len(results) == 1 and results[0][2].startswith("PBK000 internal error: RuntimeError: engine exploded")


# -- options: command line, flake8 config files, [tool.pbk] -------------------

SHUTIL = "import shutil\n\n\nasync def f():\n    shutil.copy('a', 'b')\n"


def flake8_raw(tmp_path, *args, source=BAD, name="app.py"):
    (tmp_path / name).write_text(source)
    return subprocess.run([sys.executable, "-m", "flake8", *args, name], cwd=tmp_path, capture_output=True, text=True)


def test_blocking_calls_option_on_the_command_line(tmp_path):
    calls = "shutil.move=PBK105:x,shutil.copy=PBK105:asyncio.to_thread"
    proc = flake8_raw(tmp_path, "--isolated", "--select", "PBK", "--pbk-blocking-calls", calls, source=SHUTIL)
    assert proc.stdout == "app.py:5:5: PBK105 shutil.copy() blocks the event loop; use asyncio.to_thread\n", proc.stderr


@pytest.mark.parametrize("config_name", ["setup.cfg", "tox.ini", ".flake8"])
def test_options_in_flake8_config_files(tmp_path, config_name):
    (tmp_path / config_name).write_text(
        "[flake8]\nselect = PBK\npbk-min-python = 3.10\n"
        "pbk-blocking-calls =\n    shutil.copy=PBK105:await asyncio.to_thread(shutil.copy, ...)\n    shutil.move=PBK105:x\n"
        "pbk-session-factories = myapp.db.SessionLocal\n"
    )
    proc = flake8_raw(tmp_path, source=SHUTIL)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == "app.py:5:5: PBK105 shutil.copy() blocks the event loop; use await asyncio.to_thread(shutil.copy, ...)\n"


def test_options_read_from_tool_pbk(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.pbk.blocking-calls]\n"shutil.copy" = "PBK105: asyncio.to_thread"\n')
    proc = flake8_raw(tmp_path, "--isolated", "--select", "PBK", source=SHUTIL)
    assert proc.stdout == "app.py:5:5: PBK105 shutil.copy() blocks the event loop; use asyncio.to_thread\n", proc.stderr


def test_tool_pbk_selection_is_not_flake8s(tmp_path):
    """flake8 selects with its own options; [tool.pbk] select/ignore are for pbk check only."""
    (tmp_path / "pyproject.toml").write_text("[tool.pbk]\nignore = ['PBK105']\n")
    assert flake8(tmp_path, "--select", "PBK") == ["6:5 PBK105", "8:5 PBK104"]


def test_min_python_precedence(tmp_path):
    from types import SimpleNamespace

    from python_backend_kit.flake8_plugin import Flake8Plugin

    def settings(**options):
        base = {"select": ["PBK"], "extend_select": [], "pbk_min_python": None, "pbk_blocking_calls": [], "pbk_session_factories": []}
        Flake8Plugin.parse_options(SimpleNamespace(**{**base, **options}))
        return Flake8Plugin.settings()

    import os

    cwd = os.getcwd()
    try:
        os.chdir(tmp_path)
        assert settings().min_python == (3, 11)
        (tmp_path / "pyproject.toml").write_text("[project]\nrequires-python = '>=3.10'\n")
        assert settings().min_python == (3, 10)
        (tmp_path / "pyproject.toml").write_text("[project]\nrequires-python = '>=3.10'\n[tool.pbk]\nmin-python = '3.12'\n")
        assert settings().min_python == (3, 12)
        assert settings(pbk_min_python="3.13").min_python == (3, 13)
        assert settings(pbk_session_factories=["a.b"]).options["session-factories"] == ["a.b"]
    finally:
        os.chdir(cwd)
        Flake8Plugin._settings = None


@pytest.mark.parametrize(
    ("args", "config", "needle"),
    [
        (["--pbk-min-python", "three"], None, "--pbk-min-python: 'three' is not a Python version like 3.11"),
        (["--pbk-blocking-calls", "x.y=PBK301:z"], None, "'PBK301' is not one of PBK105"),
        (["--pbk-blocking-calls", "nonsense"], None, "'nonsense' must look like name=PBK106:what-to-use"),
        (["--pbk-session-factories", "my-app.db"], None, "'my-app.db' is not a qualified name"),
        ([], "[tool.pbk]\ncolour = 'red'\n", "unknown option 'colour'"),
        ([], "[tool.pbk]\nmin-python = 3.10\n", "min-python: 3.1 must be a string"),
    ],
)
def test_bad_options_stop_flake8_with_exit_2_and_one_line(tmp_path, args, config, needle):
    if config:
        (tmp_path / "pyproject.toml").write_text(config)
    proc = flake8_raw(tmp_path, "--select", "PBK", *args)
    assert proc.returncode == 2 and proc.stdout == ""
    assert needle in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_bad_option_in_flake8_config_file(tmp_path):
    (tmp_path / "setup.cfg").write_text("[flake8]\npbk-min-python = 3.x\n")
    proc = flake8_raw(tmp_path, "--select", "PBK", "-j", "2")
    assert proc.returncode == 2 and "--pbk-min-python: '3.x'" in proc.stderr and "Traceback" not in proc.stderr


def test_flake8_hands_the_plugin_its_lines_and_findings_do_not_change():
    import ast
    from pathlib import Path

    from flake8.plugins import finder

    from python_backend_kit.flake8_plugin import Flake8Plugin

    assert "lines" in finder._parameters_for(Flake8Plugin)  # flake8 passes the physical lines
    for path in sorted((Path(__file__).parent.parent / "examples" / "bad_app").glob("*.py")):
        text = path.read_text()
        tree = ast.parse(text)
        with_lines = list(Flake8Plugin(tree, str(path), text.splitlines(keepends=True)).run())
        without = list(Flake8Plugin(tree, str(path)).run())
        assert with_lines == without and with_lines, path.name
