"""The pbk command: exit codes, selection, noqa, formats, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from python_backend_kit.cli.main import main

BAD = textwrap.dedent(
    """\
    import asyncio
    import time


    async def handler():
        time.sleep(1)
        time.sleep(2)  # noqa: PBK105
        time.sleep(3)  # noqa
        time.sleep(4)  # noqa: PBK104
        asyncio.create_task(handler())
    """
)


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "app.py").write_text(BAD)
    (tmp_path / "clean.py").write_text("import asyncio\n\n\nasync def f():\n    await asyncio.sleep(1)\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_findings_exit_1_with_concise_lines(project, capsys):
    code, out, _ = run(capsys, "check", "app.py")
    assert code == 1
    assert out.splitlines() == [
        "app.py:6:5: PBK105 time.sleep() blocks the event loop; use await asyncio.sleep()",
        "app.py:9:5: PBK105 time.sleep() blocks the event loop; use await asyncio.sleep()",
        "app.py:10:5: PBK104 the task from create_task() is not kept; keep a reference (TaskGroup, a set, or await it)",
    ]


def test_clean_exit_0(project, capsys):
    assert run(capsys, "check", "clean.py") == (0, "", "")


def test_exit_zero(project, capsys):
    assert run(capsys, "check", "--exit-zero", "app.py")[0] == 0


def test_directory_walk_is_sorted_and_complete(project, capsys):
    (project / ".venv").mkdir()
    (project / ".venv" / "x.py").write_text(BAD)
    code, out, _ = run(capsys, "check", ".")
    assert code == 1
    assert {line.split(":")[0] for line in out.splitlines()} == {"app.py"}


def test_select_and_ignore(project, capsys):
    _, out, _ = run(capsys, "check", "--select", "PBK104", "app.py")
    assert [line.split()[1] for line in out.splitlines()] == ["PBK104"]
    _, out, _ = run(capsys, "check", "--ignore", "PBK105", "app.py")
    assert [line.split()[1] for line in out.splitlines()] == ["PBK104"]


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["check", "--select", "PBK999", "app.py"], "--select: 'PBK999' matches no python-backend-kit rule"),
        (["check", "--select", "pbk-1!", "app.py"], "is not a rule code or prefix"),
        (["check", "--min-python", "three", "app.py"], "--min-python: 'three' is not a Python version"),
        (["check", "--output-format", "xml", "app.py"], "invalid choice: 'xml'"),
        (["rule", "PBK998"], "unknown rule code"),
    ],
)
def test_usage_errors_exit_2_with_one_line(project, capsys, argv, needle):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert needle in err
    assert len(err.strip().splitlines()) == 1


def test_bad_config_exits_2_naming_the_option(project, capsys):
    (project / "pyproject.toml").write_text("[tool.pbk]\ncolour = 'red'\n")
    code, _, err = run(capsys, "check", "app.py")
    assert code == 2 and "unknown option 'colour'" in err and len(err.strip().splitlines()) == 1


def test_config_select_is_used(project, capsys):
    (project / "pyproject.toml").write_text("[tool.pbk]\nselect = ['PBK104']\n")
    _, out, _ = run(capsys, "check", "app.py")
    assert [line.split()[1] for line in out.splitlines()] == ["PBK104"]


def test_json_uses_ruffs_field_names(project, capsys):
    code, out, _ = run(capsys, "check", "--output-format", "json", "app.py")
    records = json.loads(out)
    assert code == 1 and len(records) == 3
    first = records[0]
    assert set(first) >= {"code", "message", "filename", "location", "end_location", "url", "noqa_row", "fix", "cell"}
    assert first["code"] == "PBK105" and first["fix"] is None
    assert first["location"] == {"row": 6, "column": 5}
    assert first["end_location"] == {"row": 6, "column": 18}
    assert first["filename"] == str(project / "app.py")


def test_syntax_error_is_a_finding_and_other_files_still_run(project, capsys):
    (project / "broken.py").write_text("def f(:\n")
    code, out, _ = run(capsys, "check", ".")
    assert code == 1
    assert "broken.py:1:7: E999 SyntaxError:" in out
    assert "app.py:6:5: PBK105" in out


def test_missing_file_is_reported_not_raised(project, capsys):
    code, out, _ = run(capsys, "check", "nope.py")
    assert code == 1 and out.startswith("nope.py:1:1: E902 cannot read file")


def test_rule_prints_the_rule_file(project, capsys):
    code, out, _ = run(capsys, "rule", "pbk105")
    assert code == 0 and out.startswith("---\ncode: PBK105\n")


def test_rule_all_json(project, capsys):
    code, out, _ = run(capsys, "rule", "--all", "--output-format", "json")
    records = json.loads(out)
    assert code == 0
    assert {"code", "name", "summary", "explanation", "fix_availability", "impact", "default", "category", "overlaps"} <= set(records[0])


def test_console_script_runs(project):
    proc = subprocess.run([sys.executable, "-m", "python_backend_kit.cli.main", "check", "app.py"], capture_output=True, text=True)
    assert proc.returncode == 1 and "PBK105" in proc.stdout
