"""Bad input, through both doors: one clear line per file, documented exit
codes (0 clean, 1 findings, 2 usage or configuration), no traceback, and
nothing lost from the other files of the same run.

pbk runs in-process over one directory holding every bad file next to a good
one; flake8 runs as a real subprocess over the inputs flake8 itself can read
(see the notes at the flake8 tests for the two kinds it cannot).
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from python_backend_kit.catalog import bundled_rules
from python_backend_kit.cli.main import main
from python_backend_kit.cli.runner import check_file
from python_backend_kit.engine import Settings
from python_backend_kit.flake8_plugin import Flake8Plugin

GOOD = "import time\n\n\nasync def handler():\n    time.sleep(1)\n"
GOOD_LINE = "good.py:5:5: PBK105 "
HUGE_LINES = 100_000

# expressions nested far beyond what the CPython parser accepts: it raises
# MemoryError, RecursionError or SyntaxError (which one depends on the version)
TOO_DEEP = {
    "unary": "x = " + "-" * 100_000 + "x\n",
    "parentheses": "x = " + "(" * 5_000 + "1" + ")" * 5_000 + "\n",
    "conditional": "x = " + "a if b else " * 50_000 + "c\n",
    "lambda": "x = " + "lambda: " * 50_000 + "x\n",
    "attribute_chain": "x = a" + ".b" * 100_000 + "\n",
    "indentation": "".join(" " * i + "if x:\n" for i in range(150)) + " " * 150 + "pass\n",
}
# nested as deep as every supported parser accepts, deeper than Python's
# recursion limit: the walker must go through without a recursion error
DEEP = {
    "division_chain": "p = a" + " / b" * 1_500,
    "binop_chain": "p = 1" + " + 1" * 1_500,
    "attribute_chain": "p = a" + ".b" * 1_500,
    "method_chain": "p = a" + ".b()" * 700,
    "subscript_chain": "p = a" + "[0]" * 1_500,
    "call_chain": "p = f" + "()" * 1_500,
    "path_parent_chain": "p = a" + ".parent" * 1_500,
    "unary": "p = " + "-" * 1_000 + "x",
    "not": "p = " + "not " * 1_000 + "x",
    "conditional": "p = " + "a if b else " * 500 + "c",
    "lambda": "p = " + "lambda: " * 500 + "x",
    "await": "p = " + "await (" * 150 + "x" + ")" * 150,
    "boolop": "p = a" + " and a" * 5_000,
    "compare": "p = a" + " < a" * 5_000,
    "list": "p = [" + "[" * 150 + "]" * 150 + "]",
    "comprehension": "p = " + "[" * 100 + "x for x in y" + "]" * 100,
    "elif_chain": "if a:\n    pass\n" + "elif a:\n    pass\n" * 1_000,
}


# Rules allowed to report PBK000 on one of the deep inputs (none since the
# receiver-kind model bounds its recursion at MAX_DEPTH levels).
KNOWN_RECURSIVE_RULES: dict[str, set[str]] = {}


def deep_source(expression: str) -> str:
    """*expression* inside an async def, followed by a finding on a known line."""
    body = textwrap.indent(expression, "    ")
    return f"import time\n\n\nasync def handler(a, b, f, x, y):\n{body}\n    time.sleep(1)\n"


def deep_finding_line(expression: str) -> int:
    return deep_source(expression).count("\n")


def write_inputs(folder: Path) -> None:
    (folder / "good.py").write_text(GOOD)
    (folder / "syntax.py").write_text("def broken(:\n    pass\n")
    (folder / "undecodable.py").write_bytes(b"x = '\xff\xfe caf\xe9'\n")
    (folder / "binary.py").write_bytes(bytes(range(256)) * 16)
    (folder / "binary_no_nul.py").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(1, 256)) * 16)
    (folder / "empty.py").write_bytes(b"")
    (folder / "huge.py").write_text("".join(f"value_{i} = {i}\n" for i in range(HUGE_LINES)) + GOOD)
    (folder / "latin1.py").write_bytes(b"# -*- coding: latin-1 -*-\nimport time\n\n\nasync def caf\xe9():\n    time.sleep(1)\n")
    (folder / "bom_crlf.py").write_bytes(b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode())
    (folder / "dangling.py").symlink_to(folder / "nowhere.py")
    for name, source in TOO_DEEP.items():
        (folder / f"too_deep_{name}.py").write_text(source)
    for name, expression in DEEP.items():
        (folder / f"deep_{name}.py").write_text(deep_source(expression))


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bad_input")
    write_inputs(folder)
    return folder


def run_pbk(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def pbk(inputs) -> tuple[int, dict[str, list[str]], str]:
    """One pbk run over the whole folder: exit code, lines by file, stderr."""
    cwd = os.getcwd()
    os.chdir(inputs)
    try:
        code, out, err = run_pbk("check", "--select", "PBK", ".")
    finally:
        os.chdir(cwd)
    by_file: dict[str, list[str]] = {}
    for line in out.splitlines():
        by_file.setdefault(line.split(":", 1)[0], []).append(line)
    return code, by_file, err


def lines_for(pbk, name: str) -> list[str]:
    return pbk[1].get(name, [])


# -- pbk check ------------------------------------------------------------------


def internal_errors(lines: list[str], name: str = "") -> list[str]:
    """PBK000 lines, less those of KNOWN_RECURSIVE_RULES on the deep input *name*."""
    known = KNOWN_RECURSIVE_RULES.get(name, set())
    return [line for line in lines if " PBK000 " in line and not any(f"internal error in {code}:" in line for code in known)]


def test_run_over_bad_files_exits_1_without_traceback_and_keeps_the_good_file(pbk):
    code, by_file, err = pbk
    assert code == 1
    assert err == ""
    assert [line for line in by_file["good.py"]] == [GOOD_LINE + "time.sleep() blocks the event loop; use await asyncio.sleep()"]
    for name, lines in by_file.items():
        assert internal_errors(lines, name.removeprefix("deep_").removesuffix(".py")) == []


def test_syntax_error_is_one_e999_line(pbk):
    assert [line.split(": ", 1)[1].split(":")[0] for line in lines_for(pbk, "syntax.py")] == ["E999 SyntaxError"]
    assert lines_for(pbk, "syntax.py")[0].startswith("syntax.py:1:")


def test_undecodable_bytes_is_one_e999_line(pbk):
    (line,) = lines_for(pbk, "undecodable.py")
    assert " E999 SyntaxError: " in line and "decode" in line


def test_binary_file_with_nul_bytes_is_one_line(pbk):
    assert lines_for(pbk, "binary.py") == ["binary.py:1:1: E999 SyntaxError: the file contains NUL bytes; it is not Python source"]


def test_binary_file_without_nul_bytes_is_one_line(pbk):
    (line,) = lines_for(pbk, "binary_no_nul.py")
    assert " E999 SyntaxError: " in line


def test_empty_file_is_clean(pbk, inputs):
    assert lines_for(pbk, "empty.py") == []
    code, out, err = run_pbk("check", str(inputs / "empty.py"))
    assert (code, err) == (0, "")
    assert "empty.py" not in out


def test_the_parsers_warnings_about_checked_code_stay_off_stderr(tmp_path):
    # "\d" is a SyntaxWarning from 3.12 and a DeprecationWarning before, which
    # -W default shows; a fresh process, since pytest captures warnings itself
    (tmp_path / "escape.py").write_text('import time\n\n\nasync def f():\n    time.sleep(1)\n    return "\\d"\n')
    (tmp_path / "plain.py").write_text('PATTERN = "\\d+"\n')
    proc = subprocess.run(
        [sys.executable, "-W", "default", "-m", "python_backend_kit.cli.main", "check", "--select", "PBK", "--output-format", "concise", "."],
        cwd=tmp_path, capture_output=True, text=True,
    )
    assert proc.stderr == ""
    assert [line.split(" ", 2)[1] for line in proc.stdout.splitlines() if line.startswith("escape.py:")] == ["PBK105"]


def test_unreadable_file_is_one_e902_line(pbk):
    (line,) = lines_for(pbk, "dangling.py")
    assert line.startswith("dangling.py:1:1: E902 cannot read file: ")


def test_huge_file_is_checked_to_the_end(pbk):
    assert [line.split(": ")[0] for line in lines_for(pbk, "huge.py")] == [f"huge.py:{HUGE_LINES + 5}:5"]


def test_declared_encoding_bom_and_crlf_are_read_correctly(pbk):
    assert [line.split(": ")[0] for line in lines_for(pbk, "latin1.py")] == ["latin1.py:6:5"]
    assert [line.split(": ")[0] for line in lines_for(pbk, "bom_crlf.py")] == ["bom_crlf.py:5:5"]


def _parses(source: str) -> bool:
    try:
        ast.parse(source)
    except (SyntaxError, RecursionError, MemoryError):
        return False
    return True


@pytest.mark.parametrize("name", sorted(TOO_DEEP))
def test_nesting_beyond_the_parser_is_one_e999_line(pbk, name):
    lines = lines_for(pbk, f"too_deep_{name}.py")
    if _parses(TOO_DEEP[name]):  # CPython 3.10 builds some of these trees: then they are walked
        assert lines == []
    else:
        (line,) = lines
        assert " E999 " in line, line


@pytest.mark.parametrize("name", sorted(DEEP))
def test_deep_nesting_the_parser_accepts_is_walked_without_error(pbk, name):
    lines = lines_for(pbk, f"deep_{name}.py")
    assert internal_errors(lines, name) == []
    findings = [line.split(": ")[0] for line in lines if " PBK000 " not in line]
    assert findings == [f"deep_{name}.py:{deep_finding_line(DEEP[name])}:5"], lines


def test_exit_codes(inputs):
    assert run_pbk("check", str(inputs / "empty.py"))[0] == 0
    assert run_pbk("check", str(inputs / "good.py"))[0] == 1
    assert run_pbk("check", str(inputs / "syntax.py"))[0] == 1  # a syntax error is a finding
    assert run_pbk("check", "--select", "PBK999", str(inputs / "good.py"))[0] == 2


# -- bad configuration and a broken rule file: exit 2, one line --------------------


@pytest.mark.parametrize(
    ("argv", "config", "needle"),
    [
        (["--select", "PBK999"], None, "--select"),
        (["--select", "pbk-105!"], None, "--select"),
        (["--ignore", "PBK9"], None, "--ignore"),
        (["--min-python", "three"], None, "--min-python"),
        (["--output-format", "xml"], None, "--output-format"),
        ([], "[tool.pbk]\nselcet = ['PBK']\n", "selcet"),
        ([], "[tool.pbk]\nmin-python = 'soon'\n", "min-python"),
        ([], "[tool.pbk]\nselect = 5\n", "select"),
        ([], "[tool.pbk]\nselect = ['PBK999']\n", "PBK999"),
        ([], "[tool.pbk]\nblocking-calls = 3\n", "blocking-calls"),
        ([], "[tool.pbk\n", "pyproject.toml"),
    ],
)
def test_bad_configuration_exits_2_with_one_line_naming_the_option(tmp_path, monkeypatch, argv, config, needle):
    (tmp_path / "good.py").write_text(GOOD)
    if config is not None:
        (tmp_path / "pyproject.toml").write_text(config)
    monkeypatch.chdir(tmp_path)
    code, out, err = run_pbk("check", *argv, "good.py")
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and needle in err, err
    assert "Traceback" not in err


@pytest.fixture
def broken_rules(tmp_path, monkeypatch):
    """The bundled rule files, one of them missing its 'impact' field."""
    from python_backend_kit import bundle_paths, catalog

    folder = tmp_path / "rules"
    folder.mkdir()
    for rule in bundled_rules().values():
        (folder / rule.path.name).write_text(rule.text())
    victim = sorted(folder.glob("*.md"))[0]
    victim.write_text("\n".join(line for line in victim.read_text().splitlines() if not line.startswith("impact:")) + "\n")
    monkeypatch.setattr(bundle_paths, "rules_dir", lambda: folder)
    catalog.bundled_rules.cache_clear()
    yield victim
    catalog.bundled_rules.cache_clear()


def test_broken_rule_file_pbk_exits_2_naming_file_and_field(broken_rules, tmp_path, monkeypatch):
    (tmp_path / "good.py").write_text(GOOD)
    monkeypatch.chdir(tmp_path)
    code, out, err = run_pbk("check", "good.py")
    assert (code, out) == (2, "")
    assert len(err.strip().splitlines()) == 1
    assert broken_rules.name in err and "'impact'" in err


def test_broken_rule_file_flake8_plugin_exits_2_with_one_line(broken_rules, capsys):
    class Options:
        select = ["PBK"]
        extend_select: list[str] = []
        pbk_min_python = None
        pbk_blocking_calls: list[str] = []
        pbk_session_factories: list[str] = []

    try:
        with pytest.raises(SystemExit) as info:
            Flake8Plugin.parse_options(Options())
    finally:
        Flake8Plugin._settings, Flake8Plugin._setup_error = None, None
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert len(err.strip().splitlines()) == 1
    assert broken_rules.name in err and "'impact'" in err


# -- flake8 -----------------------------------------------------------------------

# What flake8 (7.5) can read at all. Some input stops flake8 before or
# beside our plugin, so it is checked through the plugin class instead:
# NUL bytes on CPython 3.10 (ast.parse raises ValueError there, which flake8
# does not catch: the whole run dies with a traceback);
# expressions too deep for the parser (flake8's own ast.parse raises
# MemoryError/RecursionError and the run dies), and deep expressions the
# parser accepts (pyflakes recurses and flake8 aborts the whole run with
# '"pyflakes[F]" failed during execution due to RecursionError').
FLAKE8_READABLE = ("good.py", "syntax.py", "undecodable.py", "binary_no_nul.py", "empty.py",
                   "latin1.py", "bom_crlf.py", "dangling.py") + (("binary.py",) if sys.version_info >= (3, 11) else ())


@pytest.fixture(scope="module")
def flake8(inputs) -> tuple[int, dict[str, list[str]], str]:
    proc = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "-j1", "--select", "PBK,E9", *FLAKE8_READABLE],
        cwd=inputs, capture_output=True, text=True,
    )
    by_file: dict[str, list[str]] = {}
    for line in proc.stdout.splitlines():
        by_file.setdefault(line.split(":", 1)[0], []).append(line)
    return proc.returncode, by_file, proc.stderr


def test_flake8_run_over_bad_files_has_no_traceback_and_keeps_the_good_file(flake8):
    code, by_file, err = flake8
    assert code == 1
    assert "Traceback" not in err and "failed during execution" not in err, err
    assert [line.split(": ")[0] for line in by_file["good.py"]] == ["good.py:5:5"]
    assert not any(" PBK000 " in line for lines in by_file.values() for line in lines)


@pytest.mark.parametrize("name", [n for n in ("syntax.py", "binary.py", "binary_no_nul.py") if n in FLAKE8_READABLE])
def test_flake8_reports_unparsable_files_as_e999(flake8, name):
    (line,) = flake8[1][name]
    assert " E999 " in line


def test_flake8_unreadable_file_is_e902(flake8):
    (line,) = flake8[1]["dangling.py"]
    assert " E902 " in line


@pytest.mark.parametrize("name", ["empty.py", "undecodable.py"])
def test_flake8_quiet_files(flake8, name):
    # flake8 decodes undecodable bytes as latin-1 and parses the result
    assert flake8[1].get(name, []) == []


def test_flake8_encodings_and_line_endings(flake8):
    assert [line.split(": ")[0] for line in flake8[1]["latin1.py"]] == ["latin1.py:6:5"]
    assert [line.split(": ")[0] for line in flake8[1]["bom_crlf.py"]] == ["bom_crlf.py:5:5"]


def plugin_lines(source: str) -> list[str]:
    Flake8Plugin._settings, Flake8Plugin._setup_error = Settings(codes=frozenset(bundled_rules())), None
    try:
        return [f"{line}:{col + 1}: {text}" for line, col, text, _ in Flake8Plugin(ast.parse(source), "deep.py").run()]
    finally:
        Flake8Plugin._settings = None


@pytest.mark.parametrize("name", sorted(DEEP))
def test_flake8_plugin_walks_deep_nesting(name):
    lines = plugin_lines(deep_source(DEEP[name]))
    assert internal_errors(lines, name) == []
    assert [line.split(": ")[0] for line in lines if " PBK000 " not in line] == [f"{deep_finding_line(DEEP[name])}:5"], lines


def test_flake8_plugin_huge_file():
    lines = plugin_lines("".join(f"value_{i} = {i}\n" for i in range(HUGE_LINES)) + GOOD)
    assert [line.split(": ")[0] for line in lines] == [f"{HUGE_LINES + 5}:5"]


def test_flake8_plugin_empty_file():
    assert plugin_lines("") == []


# -- library entry points ------------------------------------------------------------


def test_check_file_never_raises_on_any_input(inputs):
    settings = Settings(codes=frozenset(bundled_rules()))
    for path in sorted(inputs.iterdir()):
        result = check_file(path, settings, path.name)
        assert len([f for f in result.findings if f.code in ("E999", "E902")]) <= 1, path
        known = KNOWN_RECURSIVE_RULES.get(path.stem.removeprefix("deep_"), set())
        assert not [f for f in result.findings if f.code == "PBK000" and f.args.get("rule") not in known], path


# -- files no check reads: their syntax is checked without building a tree -------

# code the symbol table rejects and the parser accepts: not a syntax error for us
SYMBOL_TABLE_ONLY_ERRORS = {
    "duplicate_argument": "def f(a, a):\n    pass\n",
    "module_nonlocal": "nonlocal x\n",
    "global_after_use": "def f():\n    x = 1\n    global x\n",
}


def _no_tree_inputs(folder: Path) -> list[Path]:
    for name, source in SYMBOL_TABLE_ONLY_ERRORS.items():
        (folder / f"symtable_{name}.py").write_text(source)
    # encodings read by the parser from the bytes, in files no check reads
    (folder / "plain_latin1.py").write_bytes(b"# -*- coding: latin-1 -*-\nname = 'caf\xe9'\n")
    (folder / "plain_wrong_coding.py").write_bytes(b"# -*- coding: ascii -*-\nname = 'caf\xc3\xa9'\n")
    (folder / "plain_bom_crlf.py").write_bytes(b"\xef\xbb\xbfname = 1\r\nother = 2\r\n")
    # chains the parser takes and 3.10's symbol table gives up on
    (folder / "long_chain.py").write_text("x = a" + ".b" * 10_000 + "\n")
    (folder / "long_sum.py").write_text("x = 1" + " + 1" * 10_000 + "\n")
    return sorted(folder.iterdir())


def _outcome(path: Path, settings: Settings) -> list[tuple[object, ...]]:
    return [(f.line, f.col, f.code, f.args) for f in check_file(path, settings, path.name).findings]


def test_a_file_no_check_reads_gets_the_parsers_verdict_without_a_tree(inputs, tmp_path, monkeypatch):
    import python_backend_kit.cli.runner as runner

    for path in sorted(inputs.iterdir()):
        copy = tmp_path / path.name
        if path.is_symlink():
            copy.symlink_to(path)  # the dangling link stays dangling
        else:
            copy.write_bytes(path.read_bytes())
    paths = _no_tree_inputs(tmp_path)
    settings = Settings(codes=frozenset(bundled_rules()))
    without_tree = {path.name: _outcome(path, settings) for path in paths}
    monkeypatch.setattr(runner, "needs_tree", lambda settings, source: True)
    with_tree = {path.name: _outcome(path, settings) for path in paths}
    assert without_tree == with_tree
    assert [name for name, found in without_tree.items() if found and found[0][2] == "E999"]  # the comparison covers errors
    for name in SYMBOL_TABLE_ONLY_ERRORS:
        assert without_tree[f"symtable_{name}.py"] == []
    assert without_tree["plain_latin1.py"] == without_tree["plain_bom_crlf.py"] == []
    assert [code for _, _, code, _ in without_tree["plain_wrong_coding.py"]] == ["E999"]


def test_only_files_a_check_reads_are_parsed_into_a_tree(tmp_path, monkeypatch):
    import python_backend_kit.cli.runner as runner

    parsed = []
    real_parse = runner.parse
    monkeypatch.setattr(runner, "parse", lambda source, filename: parsed.append(filename) or real_parse(source, filename))
    (tmp_path / "plain.py").write_text("def add(a, b):\n    return a + b\n")
    (tmp_path / "good.py").write_text(GOOD)
    settings = Settings(codes=frozenset(bundled_rules()))
    assert check_file(tmp_path / "plain.py", settings).findings == []
    assert [f.code for f in check_file(tmp_path / "good.py", settings).findings] == ["PBK105"]
    assert [Path(name).name for name in parsed] == ["good.py"]
