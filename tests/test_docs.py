"""`pbk docs`: the generated rule index in SKILL.md and the rule table in
README.md come from the rule files; `--check` fails when they are stale.

test_generated_docs_are_fresh is what keeps them true in CI: after adding or
changing a rule file, run `pbk docs` and commit the result."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from python_backend_kit.catalog import bundled_rules
from python_backend_kit.cli.docs import readme_table, skill_index

START, END = "<!-- rules:start -->", "<!-- rules:end -->"
from python_backend_kit.cli.main import main as pbk

ROOT = Path(__file__).resolve().parent.parent


def test_generated_docs_are_fresh(capsys):
    code = pbk(["docs", "--check", "--root", str(ROOT)])
    assert code == 0, capsys.readouterr().err + "\nrun `pbk docs` and commit the result"


@pytest.mark.parametrize("name", ["SKILL.md", "README.md"])
def test_every_rule_is_listed_once(name):
    text = (ROOT / name).read_text(encoding="utf-8")
    block = text[text.index(START) : text.index(END)]
    for code, rule in bundled_rules().items():
        assert block.count(f"[{code}](rules/{rule.path.name})") == 1, code


def test_rows_say_code_name_impact_and_title():
    rules = bundled_rules()
    for table in (skill_index(rules), readme_table(rules)):
        lines = table.splitlines()
        assert len(lines) == len(rules) + 2
        for rule, line in zip((rules[c] for c in sorted(rules)), lines[2:]):
            for part in (rule.code, rule.name, rule.impact, rule.title):
                assert part in line


def test_opinionated_rules_are_marked():
    rules = bundled_rules()
    for code, rule in rules.items():
        row = next(line for line in skill_index(rules).splitlines() if f"[{code}]" in line)
        assert ("opt-in" in row) == (not rule.default)


@pytest.fixture
def checkout(tmp_path):
    for name in ("SKILL.md", "README.md"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    return tmp_path


def test_check_fails_on_a_stale_index_and_docs_fixes_it(checkout, capsys):
    assert pbk(["docs", "--check", "--root", str(checkout)]) == 0
    # a new rule lands: the index no longer matches
    rule = sorted((checkout / "rules").glob("*.md"))[0]
    text = rule.read_text(encoding="utf-8")
    rule.write_text(text.replace("\ntitle: ", "\ntitle: Renamed ", 1), encoding="utf-8")
    assert pbk(["docs", "--check", "--root", str(checkout)]) == 1
    err = capsys.readouterr().err
    assert "SKILL.md" in err and "README.md" in err and "pbk docs" in err
    assert pbk(["docs", "--root", str(checkout)]) == 0
    assert pbk(["docs", "--check", "--root", str(checkout)]) == 0
    assert "Renamed " in (checkout / "SKILL.md").read_text(encoding="utf-8")


def test_docs_leaves_text_outside_the_markers_alone(checkout):
    skill = checkout / "SKILL.md"
    before = skill.read_text(encoding="utf-8")
    skill.write_text(before.replace(START, START + "\nhand-written junk", 1), encoding="utf-8")
    assert pbk(["docs", "--root", str(checkout)]) == 0
    after = skill.read_text(encoding="utf-8")
    assert after == before


def test_missing_markers_are_a_usage_error(checkout, capsys):
    readme = checkout / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8").replace(START, ""), encoding="utf-8")
    assert pbk(["docs", "--check", "--root", str(checkout)]) == 2
    assert "markers" in capsys.readouterr().err


def test_an_installed_bundle_without_readme_is_fine(checkout):
    (checkout / "README.md").unlink()
    assert pbk(["docs", "--check", "--root", str(checkout)]) == 0
