"""The rule-file loader: strict, with the file and field in every error."""

from __future__ import annotations

import pytest

from python_backend_kit.catalog import CatalogError, bundled_rules, load_rules, parse_rule

GOOD = """---
code: PBK105
name: blocking-sleep
title: t
category: asyncio
impact: HIGH
default: true
message: "{call}() blocks"
references: [https://docs.python.org/3/]
---
# PBK105 blocking-sleep
"""


def write(tmp_path, text, name="PBK105-blocking-sleep.md"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_good_file_loads(tmp_path):
    rule = parse_rule(GOOD, write(tmp_path, GOOD))
    assert (rule.code, rule.name, rule.impact, rule.default) == ("PBK105", "blocking-sleep", "HIGH", True)
    assert rule.placeholders == {"call"}
    assert rule.format_message({"call": "time.sleep"}) == "time.sleep() blocks"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (("impact: HIGH\n", ""), "impact"),
        (("impact: HIGH\n", "impact: SEVERE\n"), "impact"),
        (("default: true\n", "default: maybe\n"), "default"),
        (("default: true\n", "default: true\ncolour: red\n"), "colour"),
        (("code: PBK105\n", "code: PBK905\n"), "code"),
        (("code: PBK105\n", "code: PBK106\n"), "code"),
        (("category: asyncio\n", "category: fastapi\n"), "category"),
        (("references: [https://docs.python.org/3/]\n", "references: []\n"), "references"),
        (('message: "{call}() blocks"\n', 'message: "{call.x}() blocks"\n'), "message"),
        (("name: blocking-sleep\n", "name: Blocking_Sleep\n"), "name"),
    ],
)
def test_broken_field_names_file_and_field(tmp_path, change, field):
    text = GOOD.replace(*change)
    path = write(tmp_path, text)
    with pytest.raises(CatalogError) as info:
        parse_rule(text, path)
    assert str(path) in str(info.value)
    assert f"'{field}'" in str(info.value)


def test_bad_yaml_names_file_and_line(tmp_path):
    text = GOOD.replace("title: t\n", "title: [unclosed\n")
    path = write(tmp_path, text)
    with pytest.raises(CatalogError, match=r"PBK105-blocking-sleep.md: bad YAML in frontmatter \(frontmatter line \d+\)"):
        parse_rule(text, path)


def test_missing_frontmatter(tmp_path):
    write(tmp_path, "# no frontmatter\n")
    with pytest.raises(CatalogError, match="must start with a '---'"):
        load_rules(tmp_path)


def test_duplicate_code_is_rejected(tmp_path):
    write(tmp_path, GOOD)
    write(tmp_path, GOOD.replace("name: blocking-sleep", "name: other-name"), "PBK105-other-name.md")
    with pytest.raises(CatalogError, match="PBK105 is also defined in"):
        load_rules(tmp_path)


def test_empty_directory_is_an_error(tmp_path):
    with pytest.raises(CatalogError, match="no rule files"):
        load_rules(tmp_path)


def test_bundled_rules_are_valid_and_cover_every_category_they_claim():
    rules = bundled_rules()
    assert rules
    for code, rule in rules.items():
        assert rule.path.name.startswith(code)
        assert all(ref.startswith("https://") for ref in rule.references), code
