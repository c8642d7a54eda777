"""The pbk command: exit codes, selection, noqa, summary, statistics, bad input, --jobs."""

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
SLEEP = "PBK105 time.sleep() blocks the event loop; use await asyncio.sleep()"
TASK = "PBK104 the task from create_task() is not kept; keep a reference (TaskGroup, a set, or await it)"


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


def test_findings_exit_1_with_concise_lines_and_a_summary(project, capsys):
    code, out, err = run(capsys, "check", "app.py")
    assert code == 1 and err == ""
    assert out.splitlines() == [
        f"app.py:6:5: {SLEEP}",
        f"app.py:9:5: {SLEEP}",
        f"app.py:10:5: {TASK}",
        "Found 3 errors.",
    ]


def test_clean_exit_0(project, capsys):
    assert run(capsys, "check", "clean.py") == (0, "All checks passed!\n", "")


def test_quiet_prints_findings_only(project, capsys):
    code, out, _ = run(capsys, "check", "--quiet", "app.py", "clean.py")
    assert code == 1 and out.splitlines()[-1] == f"app.py:10:5: {TASK}"
    assert run(capsys, "check", "-q", "clean.py") == (0, "", "")


def test_exit_zero(project, capsys):
    code, out, _ = run(capsys, "check", "--exit-zero", "app.py")
    assert code == 0 and "Found 3 errors." in out
    assert run(capsys, "check", "-e", "app.py")[0] == 0


def test_statistics(project, capsys):
    code, out, _ = run(capsys, "check", "--statistics", "app.py")
    assert code == 1
    assert out.splitlines() == ["2\tPBK105\tblocking-sleep", "1\tPBK104\tdangling-task", "Found 3 errors."]


def test_statistics_as_json_like_ruff(project, capsys):
    code, out, _ = run(capsys, "check", "--statistics", "--output-format", "json", "app.py")
    assert code == 1
    assert json.loads(out) == [
        {"code": "PBK105", "name": "blocking-sleep", "count": 2, "fixable": False, "fixable_count": 0},
        {"code": "PBK104", "name": "dangling-task", "count": 1, "fixable": False, "fixable_count": 0},
    ]


def test_output_is_sorted_by_path_then_position(project, capsys):
    (project / "a_first.py").write_text(BAD)
    _, out, _ = run(capsys, "check", "-q", "app.py", "a_first.py")
    assert [line.split(":")[0] for line in out.splitlines()] == ["a_first.py"] * 3 + ["app.py"] * 3


def test_select_and_ignore(project, capsys):
    _, out, _ = run(capsys, "check", "-q", "--select", "PBK104", "app.py")
    assert [line.split()[1] for line in out.splitlines()] == ["PBK104"]
    _, out, _ = run(capsys, "check", "-q", "--ignore", "PBK105", "app.py")
    assert [line.split()[1] for line in out.splitlines()] == ["PBK104"]
    _, out, _ = run(capsys, "check", "-q", "--select", "PBK104", "--extend-select", "PBK105", "app.py")
    assert [line.split()[1] for line in out.splitlines()] == ["PBK105", "PBK105", "PBK104"]


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["check", "--select", "PBK999", "app.py"], "--select: 'PBK999' matches no python-backend-kit rule"),
        (["check", "--ignore", "E501", "app.py"], "--ignore: 'E501' matches no python-backend-kit rule"),
        (["check", "--select", "pbk-1!", "app.py"], "is not a rule code or prefix"),
        (["check", "--min-python", "three", "app.py"], "--min-python: 'three' is not a Python version"),
        (["check", "--output-format", "xml", "app.py"], "invalid choice: 'xml'"),
        (["check", "--jobs", "0", "app.py"], "'0' is not a positive number of processes"),
        (["check", "--frobnicate"], "unrecognized arguments: --frobnicate"),
        (["rule", "PBK998"], "unknown rule code"),
        (["rule"], "name a code"),
        (["lint"], "invalid choice: 'lint'"),
    ],
)
def test_usage_errors_exit_2_with_one_line(project, capsys, argv, needle):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert needle in err
    assert len(err.strip().splitlines()) == 1


def test_bad_input_codes_can_be_ignored(project, capsys):
    (project / "broken.py").write_text("def f(:\n")
    assert run(capsys, "check", "-q", "--ignore", "E999", "broken.py") == (0, "", "")
    assert run(capsys, "check", "-q", "--select", "PBK104", "broken.py")[0] == 1  # always on unless ignored


def test_syntax_error_is_a_finding_and_other_files_still_run(project, capsys):
    (project / "broken.py").write_text("def f(:\n")
    code, out, _ = run(capsys, "check", ".")
    assert code == 1
    assert "broken.py:1:7: E999 SyntaxError:" in out
    assert f"app.py:6:5: {SLEEP}" in out


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"x = 1\x00\n", "E999 SyntaxError: the file contains NUL bytes"),
        (b"# -*- coding: klingon -*-\nx = 1\n", "E999 SyntaxError"),
        (b"x = '\xff'\n", "E999 SyntaxError"),
        (b"(" * 300 + b")" * 300 + b"\n", "E999 SyntaxError"),
    ],
)
def test_bad_bytes_give_one_finding_per_file(project, capsys, content, needle):
    (project / "bad.py").write_bytes(content)
    code, out, err = run(capsys, "check", "-q", "bad.py", "app.py")
    assert code == 1 and "Traceback" not in err
    bad = [line for line in out.splitlines() if line.startswith("bad.py")]
    assert len(bad) == 1 and needle in bad[0]


def test_empty_file_is_clean(project, capsys):
    (project / "empty.py").write_bytes(b"")
    assert run(capsys, "check", "-q", "empty.py") == (0, "", "")


def test_missing_file_is_reported_not_raised(project, capsys):
    code, out, _ = run(capsys, "check", "nope.py")
    assert code == 1 and out.startswith("nope.py:1:1: E902 cannot read file")


def test_no_files_warns_on_stderr(project, capsys):
    (project / "empty").mkdir()
    code, out, err = run(capsys, "check", "empty")
    assert code == 0 and "no Python files" in err
    assert run(capsys, "check", "-q", "empty") == (0, "", "")


def test_absolute_paths_below_the_working_directory_are_shown_relative(project, capsys):
    _, out, _ = run(capsys, "check", "-q", str(project / "app.py"))
    assert out.splitlines()[0] == f"app.py:6:5: {SLEEP}"


def test_non_ascii_columns_count_characters(project, capsys):
    (project / "u.py").write_text("import time\n\n\nasync def f():\n    ü = 'ä' ; time.sleep(1)\n", encoding="utf-8")
    _, out, _ = run(capsys, "check", "-q", "u.py")
    assert out.startswith("u.py:5:15: PBK105")


# -- --jobs ----------------------------------------------------------------


def _many_files(root, count=24):
    for i in range(count):
        folder = root / f"pkg{i % 3}"
        folder.mkdir(exist_ok=True)
        # every file differs, so an out-of-order result would show
        (folder / f"m{i:02}.py").write_text(BAD + "\n" * i + "async def g():\n    time.sleep(0)\n")
    (root / "pkg1" / "broken.py").write_text("def f(:\n")


@pytest.mark.parametrize("fmt", ["concise", "json", "full", "sarif"])
def test_jobs_give_the_same_output_as_one_process(project, capsys, fmt):
    _many_files(project)
    one = run(capsys, "check", "--jobs", "1", "--output-format", fmt, ".")
    three = run(capsys, "check", "--jobs", "3", "--output-format", fmt, ".")
    assert one == three
    assert one[1].count("PBK105") >= 24 * 3


def test_jobs_really_use_worker_processes(project, monkeypatch):
    from python_backend_kit.cli import runner
    from python_backend_kit.engine import Settings

    _many_files(project)
    calls = []
    real_pool = __import__("multiprocessing").Pool

    def spy(processes, *args, **kwargs):
        calls.append(processes)
        return real_pool(processes, *args, **kwargs)

    monkeypatch.setattr("multiprocessing.Pool", spy)
    settings = Settings(codes=frozenset({"PBK105"}))
    tasks = [(str(p), str(p), ()) for p in sorted(project.rglob("m*.py"))]
    outcomes = list(runner.check_files(tasks, settings, frozenset(), 0, jobs=2))
    assert calls == [2]
    assert [o[0] for o in outcomes] == [t[1] for t in tasks]
    serial = list(runner.check_files(tasks, settings, frozenset(), 0, jobs=1))
    assert outcomes == serial


def test_the_cyclic_gc_is_paused_while_checking_and_restored_after(project, monkeypatch):
    import gc

    from python_backend_kit.cli import runner
    from python_backend_kit.engine import Settings

    _many_files(project)
    monkeypatch.setattr(runner, "GC_EVERY", 5)
    collections = []
    monkeypatch.setattr(gc, "collect", lambda *a: collections.append(a) or 0)
    tasks = [(str(p), str(p), ()) for p in sorted(project.rglob("m*.py"))]
    states = []
    for outcome in runner.check_files(tasks, Settings(codes=frozenset({"PBK105"})), frozenset(), 0, jobs=1):
        states.append(gc.isenabled())
        assert outcome[1]  # every file has findings: the work really ran with the GC off
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert states == [False] * len(tasks)
    assert len(collections) == len(tasks) // 5  # cycles made by some path are still collected


def test_a_failing_run_still_turns_the_gc_back_on(project, monkeypatch):
    import gc

    from python_backend_kit.cli import runner
    from python_backend_kit.engine import Settings

    def broken(task):
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "_check_task", broken)
    with pytest.raises(KeyboardInterrupt):
        list(runner.check_files([("app.py", "app.py", ())], Settings(codes=frozenset()), frozenset(), 0, jobs=1))
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_worker_setup_is_cheap(project):
    """A worker gets the settings once, imports the checks, reads the rule files at most
    once (the engine wants each rule's min-python), and never formats a message."""
    code = textwrap.dedent(
        """
        import sys
        from python_backend_kit.cli import runner
        from python_backend_kit.engine import Settings
        runner._init_worker(Settings(codes=frozenset({"PBK105"})), frozenset(), 0)
        outcomes = [runner._check_task(("app.py", "app.py", ())) for _ in range(3)]
        print(outcomes[0][1][0].code, outcomes[0][1][0].args["call"])
        catalog = sys.modules.get("python_backend_kit.catalog")
        print(catalog.bundled_rules.cache_info().misses if catalog else 0, "python_backend_kit.messages" in sys.modules)
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=project)
    lines = proc.stdout.splitlines()
    assert lines[0] == "PBK105 time.sleep", proc.stderr
    misses, messages = lines[1].split()
    assert int(misses) <= 1 and messages == "False"


# -- pbk rule -------------------------------------------------------------


def test_rule_prints_the_rule_file(project, capsys):
    code, out, _ = run(capsys, "rule", "pbk105")
    assert code == 0 and out.startswith("---\ncode: PBK105\n")


def test_rule_json_for_one_rule(project, capsys):
    code, out, _ = run(capsys, "rule", "PBK105", "--output-format", "json")
    record = json.loads(out)
    assert code == 0 and record["code"] == "PBK105" and record["name"] == "blocking-sleep"
    assert record["explanation"].startswith("## What it does\n")
    assert "ruff: ASYNC251" in record["overlaps"]


def test_rule_all_json(project, capsys):
    from python_backend_kit.catalog import bundled_rules

    code, out, _ = run(capsys, "rule", "--all", "--output-format", "json")
    records = json.loads(out)
    assert code == 0
    assert [r["code"] for r in records] == sorted(bundled_rules())
    for record in records:
        assert {"code", "name", "summary", "explanation", "fix_availability", "impact", "default", "category", "overlaps"} <= set(record)
        assert record["fix_availability"] == "None" and isinstance(record["default"], bool)


def test_rule_all_text_prints_every_rule_file(project, capsys):
    from python_backend_kit.catalog import bundled_rules

    code, out, _ = run(capsys, "rule", "--all")
    assert code == 0 and out.count("\n---\ncode: PBK") + out.startswith("---\ncode: PBK") == len(bundled_rules())


# -- the installed command ---------------------------------------------------


def test_console_script_runs(project):
    proc = subprocess.run([sys.executable, "-m", "python_backend_kit.cli.main", "check", "app.py"], capture_output=True, text=True)
    assert proc.returncode == 1 and "PBK105" in proc.stdout


def test_startup_imports_stay_lazy():
    code = textwrap.dedent(
        """
        import sys
        from python_backend_kit.cli.main import build_parser
        build_parser().parse_args(["check", "x.py"])
        heavy = [m for m in ("json", "multiprocessing", "subprocess") if m in sys.modules]
        print(heavy)
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stdout.strip() == "[]", proc.stderr


def test_concise_check_does_not_import_json_or_multiprocessing(project):
    code = textwrap.dedent(
        """
        import sys
        from python_backend_kit.cli.main import main
        main(["check", "-q", "app.py"])
        print([m for m in ("json", "multiprocessing", "subprocess") if m in sys.modules], file=sys.stderr)
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=project)
    assert proc.stderr.strip() == "[]", proc.stderr


def test_check_does_not_build_the_other_commands(project):
    """`pbk check` runs on every save: the skill and docs commands' modules (and yaml's
    dumper, the skill bundle) stay unimported; `pbk --help` still lists every command."""
    code = textwrap.dedent(
        """
        import sys
        from python_backend_kit.cli.main import main
        main(["check", "-q", "app.py"])
        print([m for m in ("python_backend_kit.cli.skill", "python_backend_kit.cli.docs", "python_backend_kit.skill") if m in sys.modules], file=sys.stderr)
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=project)
    assert proc.stderr.strip() == "[]", proc.stderr
    helped = subprocess.run([sys.executable, "-m", "python_backend_kit.cli.main", "--help"], capture_output=True, text=True)
    assert all(command in helped.stdout for command in ("check", "rule", "skill", "docs"))


def test_broken_pipe_is_quiet(project):
    _many_files(project)
    proc = subprocess.run(
        f"{sys.executable} -m python_backend_kit.cli.main check -j 1 . | head -1",
        shell=True, capture_output=True, text=True, cwd=project,
    )
    assert proc.stdout.count("\n") == 1 and "Traceback" not in proc.stderr and "Exception" not in proc.stderr
