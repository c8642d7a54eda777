"""The examples inside a rule file, for the tests that run them.

Every ```python block under ``## Incorrect`` must raise exactly the codes
marked on its lines (a trailing comment that starts with the code, e.g.
``time.sleep(1)  # PBK105 blocks``); every block under ``## Correct`` must
raise no PBK code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .catalog import split_frontmatter

MARKER = re.compile(r"#\s*(PBK\d{3}(?:\s*,\s*PBK\d{3})*)\b")
FENCE_OPEN = re.compile(r"^```python\s*$")
SECTION = re.compile(r"^## (.+?)\s*$")


@dataclass(frozen=True)
class Example:
    section: str  # "Incorrect" or "Correct"
    source: str
    first_line: int  # line of the block's first source line in the rule file
    expected: frozenset[tuple[int, str]]  # (line in the block, code)


def marked_codes(source: str) -> frozenset[tuple[int, str]]:
    expected = set()
    for number, line in enumerate(source.splitlines(), start=1):
        comment = line.find("#")
        if comment == -1:
            continue
        match = MARKER.match(line, comment)
        if match:
            for code in re.split(r"\s*,\s*", match.group(1)):
                expected.add((number, code))
    return frozenset(expected)


def examples(text: str, path: str = "<rule>") -> list[Example]:
    front, body = split_frontmatter(text, path)  # type: ignore[arg-type]
    offset = front.count("\n") + 3  # the two --- lines and the frontmatter
    found: list[Example] = []
    section = None
    lines = body.splitlines()
    i = 0
    while i < len(lines):
        heading = SECTION.match(lines[i])
        if heading:
            section = heading.group(1)
        elif FENCE_OPEN.match(lines[i]) and section in ("Incorrect", "Correct"):
            start = i + 1
            end = start
            while end < len(lines) and lines[end].rstrip() != "```":
                end += 1
            source = "\n".join(lines[start:end]) + "\n"
            found.append(Example(section, source, offset + start + 1, marked_codes(source)))
            i = end
        i += 1
    return found
