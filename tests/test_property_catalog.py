"""The fast frontmatter reader agrees with PyYAML wherever it answers."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from python_backend_kit.catalog import fast_frontmatter, split_frontmatter

ROOT = Path(__file__).resolve().parent.parent

# pieces that YAML reads in surprising ways, mixed with ordinary ones
SCALARS = [
    "PBK105", "blocking-sleep", "asyncio", "HIGH", "true", "false", "True", "yes", "no", "on", "Off", "null",
    "~", "3.10", "3.11", '"3.10"', "'3.11'", "0x1F", "1_000", "2024-01-01", ".inf", "-1", "+1",
    '"{call}() blocks the event loop; use {instead}"', "'{x}'", '"a \\" b"', "'it''s'", '"a\\tb"',
    "time.sleep() in async code", "a: b", "a #b", "a#b", "key:", "https://docs.python.org/3/#x",
    "[]", '["ruff: ASYNC251", "flake8-async: ASYNC251"]', "['a', 'b']", "[a, b]", '["a",]', '["a"', "[ ]",
    "{a: 1}", "&anchor x", "*alias", "!tag x", "|", ">", "%x", "@x", "`x`", "? x", "- x", "x  ", "",
]
KEYS = ["code", "name", "title", "message", "references", "min-python", "Key_2", "2key", "a b", "-x"]


def _line(draw_key: str, value: str) -> str:
    return f"{draw_key}: {value}" if value else f"{draw_key}:"


frontmatters = st.lists(
    st.one_of(
        st.builds(_line, st.sampled_from(KEYS), st.sampled_from(SCALARS)),
        st.builds(lambda k, items, ind: f"{k}:\n" + "\n".join(f"{ind}- {i}" for i in items),
                  st.sampled_from(KEYS), st.lists(st.sampled_from(SCALARS), max_size=3), st.sampled_from(["", "  ", "    "])),
        st.sampled_from(["", "# a comment", "  continued", "\t", "code: PBK105 # trailing"]),
        st.builds(_line, st.sampled_from(KEYS), st.text(max_size=12)),
    ),
    max_size=8,
).map("\n".join)


def _yaml(text: str):
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return "YAML-ERROR"


@settings(max_examples=int(__import__("os").environ.get("PBK_EXAMPLES", "400")), deadline=None)
@given(frontmatters)
def test_fast_path_agrees_with_yaml(text):
    fast = fast_frontmatter(text)
    if fast is not None:
        assert fast == _yaml(text), text


@pytest.mark.parametrize("path", sorted((ROOT / "rules").glob("*.md")), ids=lambda p: p.name)
def test_every_rule_file_takes_the_fast_path(path):
    front, _ = split_frontmatter(path.read_text(encoding="utf-8"), path)
    fast = fast_frontmatter(front)
    assert fast is not None, f"{path.name}: frontmatter outside the fast subset (loads, but through PyYAML)"
    assert fast == yaml.safe_load(front)
