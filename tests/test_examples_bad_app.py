"""The bad example app, beyond tests/test_examples.py: it is marked for
every default rule of the catalog (so it keeps triggering every default rule
as the rules land), and the README's demo command flags it."""

from __future__ import annotations

from pathlib import Path

from python_backend_kit.cli.main import main as pbk
from python_backend_kit.config import load_config
from python_backend_kit.rule_docs import marked_codes

BAD_APP = Path(__file__).resolve().parent.parent / "examples" / "bad_app"
CATALOG = (
    [f"PBK1{n:02d}" for n in range(1, 16)]
    + [f"PBK2{n:02d}" for n in range(1, 11)]
    + [f"PBK3{n:02d}" for n in range(1, 11)]
    + [f"PBK4{n:02d}" for n in range(1, 10)]
)
OPINIONATED = {"PBK101", "PBK102", "PBK111", "PBK202", "PBK302", "PBK402"}


def _marks() -> set[str]:
    return {code for path in BAD_APP.glob("*.py") for _, code in marked_codes(path.read_text(encoding="utf-8"))}


def test_bad_app_is_marked_for_every_default_rule_of_the_catalog():
    default = set(CATALOG) - OPINIONATED
    assert default <= _marks(), sorted(default - _marks())


def test_bad_app_marks_only_catalog_codes():
    assert _marks() <= set(CATALOG)


def test_readme_demo_command_flags_the_bad_app(capsys):
    assert pbk(["check", str(BAD_APP)]) == 1
    assert "PBK105" in capsys.readouterr().out


def test_bad_app_turns_on_the_python_311_rules():
    assert load_config(BAD_APP).min_python >= (3, 11)
