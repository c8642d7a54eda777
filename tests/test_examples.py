"""The bundled examples: the bad app is flagged exactly where it says, the clean app not at all."""

from __future__ import annotations

from pathlib import Path

from helpers import ALL_CODES

from python_backend_kit.cli.runner import check_file
from python_backend_kit.engine import Settings
from python_backend_kit.rule_docs import marked_codes
from python_backend_kit.selection import enabled_codes
from python_backend_kit.catalog import bundled_rules

EXAMPLES = Path(__file__).parent.parent / "examples"
DEFAULT = Settings(codes=enabled_codes(bundled_rules()))


def _python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py"))


def test_bad_app_is_flagged_exactly_on_its_marked_lines():
    files = _python_files(EXAMPLES / "bad_app")
    assert files
    known = set(bundled_rules())
    for path in files:
        # a marker for a rule that does not exist yet is not expected (yet)
        expected = sorted(m for m in marked_codes(path.read_text()) if m[1] in known)
        got = sorted((f.line, f.code) for f in check_file(path, Settings(codes=ALL_CODES)).findings)
        assert got == expected, path


def test_clean_app_has_no_finding_even_with_opinionated_rules():
    for path in _python_files(EXAMPLES / "clean_app"):
        assert check_file(path, Settings(codes=ALL_CODES)).findings == [], path


def test_bad_app_triggers_every_default_rule():
    found = set()
    for path in _python_files(EXAMPLES / "bad_app"):
        found |= {f.code for f in check_file(path, DEFAULT).findings}
    default_rules = {code for code, rule in bundled_rules().items() if rule.default}
    assert default_rules <= found, f"not triggered: {sorted(default_rules - found)}"
