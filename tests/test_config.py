"""[tool.pbk] in pyproject.toml: every key, the requires-python fallback, and every error."""

from __future__ import annotations

import textwrap

import pytest

from python_backend_kit.cli.main import main
from python_backend_kit.config import Config, ConfigError, from_table, load_config, min_python_from_requires

APP = textwrap.dedent(
    """\
    import asyncio
    import time


    async def handler():
        time.sleep(1)
        asyncio.create_task(handler())
    """
)


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "app.py").write_text(APP)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def configure(project, text, requires=None):
    head = f"[project]\nname = 'x'\nrequires-python = '{requires}'\n\n" if requires else ""
    (project / "pyproject.toml").write_text(head + "[tool.pbk]\n" + textwrap.dedent(text))


def codes(capsys, *argv):
    status = main(["check", "-q", *argv])
    out, err = capsys.readouterr()
    assert status in (0, 1), err
    return [(line.split(":")[0], line.split()[1]) for line in out.splitlines()]


def error(capsys, *argv):
    status = main(["check", *argv])
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert len(err.strip().splitlines()) == 1, err
    return err.strip()


# -- selection keys ----------------------------------------------------------


def test_select(project, capsys):
    configure(project, "select = ['PBK104']\n")
    assert codes(capsys, "app.py") == [("app.py", "PBK104")]


def test_command_line_select_replaces_the_configured_one(project, capsys):
    configure(project, "select = ['PBK104']\n")
    assert codes(capsys, "--select", "PBK105", "app.py") == [("app.py", "PBK105")]


def test_ignore_and_extend_ignore(project, capsys):
    configure(project, "ignore = ['PBK104']\n")
    assert codes(capsys, "app.py") == [("app.py", "PBK105")]
    configure(project, "extend-ignore = ['PBK105']\n")
    assert codes(capsys, "app.py") == [("app.py", "PBK104")]


def test_configured_and_command_line_ignores_add_up(project, capsys):
    configure(project, "ignore = ['PBK104']\n")
    assert codes(capsys, "--ignore", "PBK105", "app.py") == []


def test_extend_select_turns_on_an_opinionated_rule(project, capsys, monkeypatch):
    from python_backend_kit import catalog

    rules = dict(catalog.bundled_rules())
    rules["PBK104"] = catalog.Rule(**{**rules["PBK104"].__dict__, "default": False})
    monkeypatch.setattr("python_backend_kit.cli.check.bundled_rules", lambda: rules)
    assert codes(capsys, "app.py") == [("app.py", "PBK105")]
    configure(project, "extend-select = ['PBK104']\n")
    assert codes(capsys, "app.py") == [("app.py", "PBK105"), ("app.py", "PBK104")]


def test_per_file_ignores(project, capsys):
    (project / "tests").mkdir()
    (project / "tests" / "test_app.py").write_text(APP)
    (project / "scripts").mkdir()
    (project / "scripts" / "job.py").write_text(APP)
    configure(
        project,
        """\
        [tool.pbk.per-file-ignores]
        "tests/*" = ["PBK105"]
        "job.py" = ["PBK1"]
        """,
    )
    assert codes(capsys, ".") == [
        ("app.py", "PBK105"),
        ("app.py", "PBK104"),
        ("tests/test_app.py", "PBK104"),
    ]


def test_per_file_ignores_are_relative_to_the_pyproject(project, capsys, monkeypatch):
    (project / "tests").mkdir()
    (project / "tests" / "test_app.py").write_text(APP)
    configure(project, '[tool.pbk.per-file-ignores]\n"tests/**" = ["PBK104", "PBK105"]\n"**/app.py" = ["PBK104"]\n')
    monkeypatch.chdir(project / "tests")
    assert codes(capsys, "test_app.py", "../app.py") == [("../app.py", "PBK105")]


def test_per_file_ignores_can_silence_syntax_errors(project, capsys):
    (project / "legacy.py").write_text("print 'hi'\n")
    configure(project, '[tool.pbk.per-file-ignores]\n"legacy.py" = ["E999"]\n')
    assert codes(capsys, "legacy.py") == []


def test_exclude_and_extend_exclude(project, capsys):
    for folder in ("generated", "migrations", "pkg"):
        (project / folder).mkdir()
        (project / folder / "m.py").write_text(APP)
    (project / "pkg" / "skip_me.py").write_text(APP)
    configure(project, "exclude = ['generated', 'pkg/skip_*.py']\nextend-exclude = ['migrations/']\n")
    assert sorted({path for path, _ in codes(capsys, ".")}) == ["app.py", "pkg/m.py"]
    # named files are always checked
    assert {path for path, _ in codes(capsys, "generated/m.py")} == {"generated/m.py"}


def test_isolated_ignores_the_configuration(project, capsys):
    configure(project, "select = ['PBK104']\n")
    assert codes(capsys, "--isolated", "app.py") == [("app.py", "PBK105"), ("app.py", "PBK104")]


def test_explicit_config_file(project, capsys):
    (project / "other.toml").write_text("[tool.pbk]\nignore = ['PBK105']\n")
    assert codes(capsys, "--config", "other.toml", "app.py") == [("app.py", "PBK104")]


def test_the_nearest_pyproject_wins(project, capsys):
    configure(project, "ignore = ['PBK105']\n")
    (project / "sub").mkdir()
    (project / "sub" / "app.py").write_text(APP)
    (project / "sub" / "pyproject.toml").write_text("[tool.pbk]\nignore = ['PBK104']\n")
    assert codes(capsys, "sub") == [("sub/app.py", "PBK105")]


# -- min-python and rule options ---------------------------------------------


def test_min_python_key_and_requires_python_fallback(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text("[project]\nrequires-python = '>=3.9'\n[tool.pbk]\nmin-python = '3.12'\n")
    assert load_config(tmp_path).min_python == (3, 12)
    path.write_text("[project]\nrequires-python = '>=3.10,<4'\n")
    config = load_config(tmp_path)
    assert config.min_python == (3, 10) and config.min_python_source == "requires-python"
    path.write_text("[project]\nname = 'x'\n")
    assert load_config(tmp_path).min_python == (3, 11) and load_config(tmp_path).min_python_source == "default"


def test_min_python_reaches_the_engine(project, capsys, monkeypatch):
    seen = []
    from python_backend_kit.cli import runner

    real = runner.check_file

    def spy(path, settings, shown=None):
        seen.append(settings.min_python)
        return real(path, settings, shown)

    monkeypatch.setattr(runner, "check_file", spy)
    configure(project, "", requires=">=3.10")
    codes(capsys, "app.py")
    configure(project, "min-python = '3.12'\n", requires=">=3.10")
    codes(capsys, "app.py")
    codes(capsys, "--min-python", "3.13", "app.py")
    assert seen == [(3, 10), (3, 12), (3, 13)]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (">=3.10", (3, 10)),
        ("~=3.11", (3, 11)),
        (">=3.9, <3.14", (3, 9)),
        (">3.9", (3, 9)),
        ("==3.12.*", (3, 12)),
        (">=3.9,>=3.11", (3, 11)),
        ("<3.13", None),
        ("!=3.10.*", None),
        ("", None),
    ],
)
def test_min_python_from_requires(spec, expected):
    assert min_python_from_requires(spec) == expected


def test_rule_options_reach_the_engine(project, capsys):
    (project / "boto.py").write_text("import shutil\n\n\nasync def f():\n    shutil.copy('a', 'b')\n")
    configure(
        project,
        """\
        session-factories = ["myapp.db.SessionLocal"]
        [tool.pbk.blocking-calls]
        "shutil.copy" = "PBK105: await asyncio.to_thread(shutil.copy, ...)"
        """,
    )
    config = load_config(project)
    assert config.options["session-factories"] == ["myapp.db.SessionLocal"]
    assert config.options["blocking-calls"]["shutil.copy"] == ("PBK105", "await asyncio.to_thread(shutil.copy, ...)")
    status = main(["check", "-q", "boto.py"])
    out, _ = capsys.readouterr()
    assert status == 1 and out == "boto.py:5:5: PBK105 shutil.copy() blocks the event loop; use await asyncio.to_thread(shutil.copy, ...)\n"


def test_blocking_calls_as_a_list(project):
    table = from_table({"blocking-calls": ["shutil.copy=PBK105:asyncio.to_thread"]}, None)
    assert table.options["blocking-calls"]["shutil.copy"] == ("PBK105", "asyncio.to_thread")


def test_respect_gitignore_key(project):
    assert from_table({"respect-gitignore": False}, None).respect_gitignore is False
    with pytest.raises(ConfigError, match="respect-gitignore: must be true or false"):
        from_table({"respect-gitignore": "no"}, None)


# -- errors: exit 2, one line, naming the problem -----------------------------


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("colour = 'red'\n", "[tool.pbk]: unknown option 'colour'"),
        ("select = ['PBK999']\n", "[tool.pbk] select: 'PBK999' matches no python-backend-kit rule"),
        ("select = 'PBK1'\nignore = ['E501']\n", "[tool.pbk] ignore: 'E501' matches no python-backend-kit rule"),
        ("extend-select = ['PBK9']\n", "[tool.pbk] extend-select: 'PBK9' matches no python-backend-kit rule"),
        ("select = [1]\n", "[tool.pbk] select: must be a list of strings"),
        ("min-python = 3.10\n", "[tool.pbk] min-python: 3.1 must be a string like \"3.11\""),
        ("min-python = '2.7'\n", "[tool.pbk] min-python: '2.7' is not a Python version like 3.11"),
        ("per-file-ignores = ['x']\n", "[tool.pbk] per-file-ignores: must be a table"),
        ("[tool.pbk.per-file-ignores]\n'x.py' = ['PBK99']\n", "per-file-ignores.'x.py': 'PBK99' matches no python-backend-kit rule"),
        ("[tool.pbk.per-file-ignores]\n'x.py' = 'PBK1x!'\n", "is not a rule code or prefix"),
        ("blocking-calls = 3\n", "[tool.pbk] blocking-calls: must be a table or a list"),
        ("[tool.pbk.blocking-calls]\n'boto3.client' = 'PBK301: x'\n", "'PBK301' is not one of PBK105, PBK106, PBK107, PBK108"),
        ("[tool.pbk.blocking-calls]\n'not a name' = 'PBK105: x'\n", "'not a name' is not a qualified name"),
        ("[tool.pbk.blocking-calls]\n'x.y' = 5\n", "'x.y' must map to a string"),
        ("blocking-calls = ['x.y']\n", "'x.y' must look like name=PBK106:what-to-use"),
        ("session-factories = ['my app']\n", "session-factories: 'my app' is not a qualified name"),
        ("session-factories = 3\n", "session-factories: must be a list of strings"),
    ],
)
def test_bad_configuration_exits_2_with_one_line(project, capsys, text, needle):
    configure(project, text)
    message = error(capsys, "app.py")
    assert needle in message
    assert str(project / "pyproject.toml") in message


def test_invalid_toml_exits_2(project, capsys):
    (project / "pyproject.toml").write_text("[tool.pbk\nselect = \n")
    assert "invalid TOML" in error(capsys, "app.py")


def test_tool_pbk_must_be_a_table(project, capsys):
    (project / "pyproject.toml").write_text("[tool]\npbk = 3\n")
    assert "[tool.pbk] must be a table" in error(capsys, "app.py")


def test_missing_explicit_config_exits_2(project, capsys):
    assert "cannot read" in error(capsys, "--config", "nope.toml", "app.py")


def test_no_pyproject_means_defaults(tmp_path):
    assert not any((folder / "pyproject.toml").exists() for folder in (tmp_path, *tmp_path.parents))
    assert load_config(tmp_path) == Config()
