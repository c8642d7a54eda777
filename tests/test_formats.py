"""Every --output-format of pbk check, compared with ruff's where ruff has one."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from python_backend_kit.cli.formats import Row, char_column, write_full, write_github
from python_backend_kit.cli.main import main

DATA = Path(__file__).parent / "data"
SOURCE = (
    "import asyncio\n"
    "import time\n"
    "\n"
    "\n"
    "async def handler():\n"
    "    time.sleep(1)\n"
    "    asyncio.create_task(handler())\n"
)


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "app.py").write_text(SOURCE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def pbk(capsys, *argv):
    code = main(["check", *argv])
    out, err = capsys.readouterr()
    assert err == ""
    return code, out


def ruff_path() -> str:
    found = shutil.which("ruff", path=os.path.dirname(sys.executable)) or shutil.which("ruff")
    if found is None:
        pytest.fail("ruff is a test dependency: pip install -e '.[test]'")
    return found


def ruff(cwd, *argv):
    return subprocess.run([ruff_path(), "check", "--no-cache", "--isolated", *argv], cwd=cwd, capture_output=True, text=True)


# -- concise, pylint, full ----------------------------------------------------


def test_concise(project, capsys):
    code, out = pbk(capsys, "--output-format", "concise", "app.py")
    assert code == 1
    assert out.splitlines() == [
        "app.py:6:5: PBK105 time.sleep() blocks the event loop; use await asyncio.sleep()",
        "app.py:7:5: PBK104 the task from create_task() is not kept; keep a reference (TaskGroup, a set, or await it)",
        "Found 2 errors.",
    ]


def test_pylint_matches_ruffs_layout(project, capsys):
    _, out = pbk(capsys, "--output-format", "pylint", "app.py")
    assert out.splitlines() == [
        "app.py:6: [PBK105] time.sleep() blocks the event loop; use await asyncio.sleep()",
        "app.py:7: [PBK104] the task from create_task() is not kept; keep a reference (TaskGroup, a set, or await it)",
    ]
    theirs = ruff(project, "--select", "ASYNC251", "--output-format", "pylint", "app.py").stdout
    assert theirs.startswith("app.py:6: [ASYNC251] ")


def test_full_shows_the_source_with_carets(project, capsys):
    code, out = pbk(capsys, "--output-format", "full", "--select", "PBK105", "app.py")
    assert code == 1
    assert out == (
        "PBK105 time.sleep() blocks the event loop; use await asyncio.sleep()\n"
        " --> app.py:6:5\n"
        "  |\n"
        "5 | async def handler():\n"
        "6 |     time.sleep(1)\n"
        "  |     ^^^^^^^^^^^^^\n"
        "7 |     asyncio.create_task(handler())\n"
        "  |\n"
        "\n"
        "Found 1 error.\n"
    )


def test_full_layout_follows_ruff(project):
    theirs = ruff(project, "--select", "ASYNC251", "--output-format", "full", "app.py").stdout.splitlines()
    assert theirs[1] == " --> app.py:6:5" and theirs[2] == "  |" and theirs[4].startswith("6 |     time.sleep(1)")


def test_full_trims_blank_context_and_widens_the_gutter():
    context = tuple((n, "" if n in (8, 12) else f"line {n}") for n in range(8, 13))
    row = Row("a.py", "PBK105", "msg", 10, 3, 10, 7, context=context)
    out = _write(write_full, [row])
    assert out.splitlines() == [
        "PBK105 msg",
        "  --> a.py:10:3",
        "   |",
        " 9 | line 9",
        "10 | line 10",
        "   |   ^^^^",
        "11 | line 11",
        "   |",
        "",
    ]


def test_full_with_multiline_span_underlines_to_end_of_line():
    row = Row("a.py", "PBK104", "msg", 1, 1, 3, 2, context=((1, "abc"),))
    assert _write(write_full, [row]).splitlines()[4] == "  | ^^^"


def _write(writer, rows):
    import io

    buffer = io.StringIO()
    writer(rows, buffer)
    return buffer.getvalue()


# -- json and json-lines -----------------------------------------------------


def test_json_keys_are_ruffs(project, capsys):
    """The same keys as a JSON record that the installed ruff writes."""
    _, out = pbk(capsys, "--output-format", "json", "app.py")
    ours = json.loads(out)
    theirs = json.loads(ruff(project, "--select", "ASYNC251", "--output-format", "json", "app.py").stdout)
    assert theirs, "ruff found nothing to compare with"
    assert set(ours[0]) == set(theirs[0])
    assert set(ours[0]["location"]) == set(theirs[0]["location"]) == {"row", "column"}
    assert set(ours[0]["end_location"]) == set(theirs[0]["end_location"])
    # where both flag the same call, they agree on where it is
    assert ours[0]["location"] == theirs[0]["location"] == {"row": 6, "column": 5}
    assert ours[0]["noqa_row"] == theirs[0]["noqa_row"] == 6
    assert ours[0]["filename"] == theirs[0]["filename"] == str(project / "app.py")


def test_json_values(project, capsys):
    code, out = pbk(capsys, "--output-format", "json", "app.py")
    first = json.loads(out)[0]
    assert code == 1
    assert first == {
        "cell": None,
        "code": "PBK105",
        "end_location": {"column": 18, "row": 6},
        "filename": str(project / "app.py"),
        "fix": None,
        "location": {"column": 5, "row": 6},
        "message": "time.sleep() blocks the event loop; use await asyncio.sleep()",
        "name": "blocking-sleep",
        "noqa_row": 6,
        "severity": "error",
        "url": first["url"],
    }
    assert first["url"].endswith("/rules/PBK105-blocking-sleep.md")


def test_json_lines_are_the_json_records(project, capsys):
    _, whole = pbk(capsys, "--output-format", "json", "app.py")
    _, lines = pbk(capsys, "--output-format", "json-lines", "app.py")
    assert [json.loads(line) for line in lines.splitlines()] == json.loads(whole)
    theirs = ruff(project, "--select", "ASYNC251", "--output-format", "json-lines", "app.py").stdout.splitlines()
    assert set(json.loads(theirs[0])) == set(json.loads(lines.splitlines()[0]))


def test_json_of_a_clean_run_is_an_empty_list(project, capsys):
    (project / "clean.py").write_text("x = 1\n")
    assert pbk(capsys, "--output-format", "json", "clean.py") == (0, "[]\n")
    assert pbk(capsys, "--output-format", "json-lines", "clean.py") == (0, "")


def test_json_for_a_syntax_error(project, capsys):
    (project / "broken.py").write_text("def f(:\n")
    _, out = pbk(capsys, "--output-format", "json", "broken.py")
    record = json.loads(out)[0]
    assert record["code"] == "E999" and record["name"] == "syntax-error" and record["url"] is None


# -- sarif -------------------------------------------------------------------


def _sarif_validator():
    import jsonschema

    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def test_sarif_is_valid_against_the_schema(project, capsys):
    (project / "broken.py").write_text("def f(:\n")
    (project / "sub dir").mkdir()
    (project / "sub dir" / "ünï.py").write_text(SOURCE)
    code, out = pbk(capsys, "--output-format", "sarif", ".")
    log = json.loads(out)
    assert code == 1
    errors = sorted(_sarif_validator().iter_errors(log), key=str)
    assert errors == [], errors[0].message if errors else ""
    run = log["runs"][0]
    assert log["version"] == "2.1.0" and run["tool"]["driver"]["name"] == "pbk"
    assert sorted(r["ruleId"] for r in run["results"]) == ["E999", "PBK104", "PBK104", "PBK105", "PBK105"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert uris == {"app.py", "broken.py", "sub%20dir/%C3%BCn%C3%AF.py"}


def test_sarif_has_one_rule_per_enabled_code_and_results_point_at_them(project, capsys):
    from python_backend_kit.catalog import bundled_rules

    _, out = pbk(capsys, "--output-format", "sarif", "--select", "PBK", "app.py")
    run = json.loads(out)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(bundled_rules())
    assert len({r["id"] for r in rules}) == len(rules)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"] == {"uri": "app.py", "uriBaseId": "%SRCROOT%"}
    first = run["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert first == {"startLine": 6, "startColumn": 5, "endLine": 6, "endColumn": 18}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == project.as_uri() + "/"


def test_sarif_of_a_clean_run_is_valid(project, capsys):
    (project / "clean.py").write_text("x = 1\n")
    code, out = pbk(capsys, "--output-format", "sarif", "clean.py")
    log = json.loads(out)
    assert code == 0 and log["runs"][0]["results"] == []
    assert list(_sarif_validator().iter_errors(log)) == []


def test_sarif_uses_a_file_uri_outside_the_working_directory(tmp_path, capsys, monkeypatch):
    (tmp_path / "app.py").write_text(SOURCE)
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    _, out = pbk(capsys, "--output-format", "sarif", str(tmp_path / "app.py"))
    location = json.loads(out)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": (tmp_path / "app.py").as_uri()}


def test_the_schema_catches_a_broken_log():
    broken = {"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]}  # the driver needs a name
    assert list(_sarif_validator().iter_errors(broken))


# -- github ------------------------------------------------------------------


def test_github_annotations(project, capsys):
    _, out = pbk(capsys, "--output-format", "github", "app.py")
    assert out.splitlines()[0] == (
        "::error title=pbk (PBK105),file=app.py,line=6,col=5,endLine=6,endColumn=18::"
        "app.py:6:5: PBK105 time.sleep() blocks the event loop; use await asyncio.sleep()"
    )
    theirs = ruff(project, "--select", "ASYNC251", "--output-format", "github", "app.py").stdout
    assert theirs.startswith("::error title=ruff (ASYNC251),file=") and ",line=6,col=5,endLine=6,endColumn=" in theirs


def test_github_escapes_workflow_command_characters():
    row = Row("a,b:c%.py", "PBK105", "50% done\nnext", 1, 1, 1, 2)
    assert _write(write_github, [row]) == (
        "::error title=pbk (PBK105),file=a%2Cb%3Ac%25.py,line=1,col=1,endLine=1,endColumn=2::"
        "a,b:c%25.py:1:1: PBK105 50%25 done%0Anext\n"
    )


# -- columns -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "byte_col", "expected"),
    [("abc", 2, 2), ("ü = 1", 3, 2), ("€x", 3, 1), ("", 0, 0), (None, 4, 4), ("日本語 = x", 10, 4)],
)
def test_char_column(line, byte_col, expected):
    assert char_column(line, byte_col) == expected


def test_columns_agree_with_ruff_on_non_ascii_lines(project, capsys):
    (project / "u.py").write_text("import time\n\n\nasync def f():\n    s = 'ÄÖÜ€' ; time.sleep(1)\n", encoding="utf-8")
    _, out = pbk(capsys, "--output-format", "json", "u.py")
    ours = json.loads(out)[0]
    theirs = json.loads(ruff(project, "--select", "ASYNC251", "--output-format", "json", "u.py").stdout)[0]
    assert ours["location"] == theirs["location"]
