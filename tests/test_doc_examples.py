"""Every example in every rule file runs through the checker, as documented.

Incorrect blocks raise exactly the codes marked on their lines; Correct
blocks raise no PBK code. All rules run (opinionated ones too) so a block
that trips a neighbouring rule fails here and gets fixed in the doc.
"""

from __future__ import annotations

import ast

import pytest

from python_backend_kit.catalog import bundled_rules
from python_backend_kit.checks import load_checks
from python_backend_kit.engine import Settings, check_source
from python_backend_kit.messages import message_for
from python_backend_kit.rule_docs import examples

RULES = bundled_rules()
ALL = Settings(codes=frozenset(RULES), min_python=(3, 13))


def _cases():
    for code, rule in sorted(RULES.items()):
        for number, example in enumerate(examples(rule.text(), str(rule.path)), start=1):
            yield pytest.param(rule, example, id=f"{code}-{example.section}-{number}")


CASES = list(_cases())


@pytest.mark.parametrize(("rule", "example"), CASES)
def test_example_raises_exactly_what_it_marks(rule, example):
    ast.parse(example.source)  # examples are real Python
    found = check_source(example.source, ALL, str(rule.path))
    got = sorted({(f.line, f.code) for f in found})
    where = f"{rule.path.name}:{example.first_line}"
    if example.section == "Correct":
        assert got == [], f"{where}: a Correct example raised {got}"
    else:
        assert example.expected, f"{where}: an Incorrect example marks no line"
        assert any(code == rule.code for _, code in example.expected), f"{where}: marks none of {rule.code}"
        assert got == sorted(example.expected), f"{where}: expected {sorted(example.expected)}, got {got}"
    for finding in found:  # every message template gets the arguments it names
        assert "message argument missing" not in message_for(finding, RULES)


@pytest.mark.parametrize("rule", sorted(RULES.values(), key=lambda r: r.code), ids=lambda r: r.code)
def test_rule_file_has_both_kinds_of_example(rule):
    sections = {e.section for e in examples(rule.text(), str(rule.path))}
    assert sections == {"Incorrect", "Correct"}, rule.path.name


REQUIRED_SECTIONS = ("What it does", "Why is this bad", "Incorrect", "Correct", "When to ignore", "References")


@pytest.mark.parametrize("rule", sorted(RULES.values(), key=lambda r: r.code), ids=lambda r: r.code)
def test_rule_file_has_every_section_in_order(rule):
    headings = [line[3:].strip() for line in rule.text().splitlines() if line.startswith("## ")]
    present = [h for h in headings if h in REQUIRED_SECTIONS]
    assert present == list(REQUIRED_SECTIONS), f"{rule.path.name}: sections {headings}"
    if rule.options:
        assert "Options" in headings, f"{rule.path.name} lists options but has no Options section"
    first_heading = next(line for line in rule.text().splitlines() if line.startswith("# "))
    assert first_heading.startswith(f"# {rule.code} {rule.name}"), rule.path.name


def test_every_rule_file_has_a_check_and_every_check_a_rule_file():
    from python_backend_kit.checks.registry import REGISTRY

    load_checks()
    assert set(REGISTRY) == set(RULES)


def test_the_marker_convention_is_documented_in_the_template():
    from pathlib import Path

    template = (Path(__file__).parent.parent / "docs" / "rule-template.md").read_text()
    examples_in_template = examples(template)
    assert any(e.expected for e in examples_in_template)
