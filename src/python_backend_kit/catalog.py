"""Read and validate the rule files: the single source of every rule's
code, name, message template, default state and options.

A rule file is Markdown with a YAML frontmatter block (see
``docs/rule-template.md``). Any problem is reported as a
:class:`CatalogError` that names the file and the field.


Loading is on the start-up path of every ``pbk`` and flake8 run, so it is
kept cheap: the frontmatter of a rule file normally uses a small subset of
YAML (``key: value`` lines, quoted strings, ``true``/``false``, lists in
``[...]`` or ``- item`` form), which :func:`fast_frontmatter` reads
directly; anything outside that subset goes to PyYAML (imported only
then), so both paths give the same mapping.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

CATEGORIES = {"1": "asyncio", "2": "fastapi", "3": "sqlalchemy", "4": "pools"}
IMPACTS = ("CRITICAL", "HIGH", "MEDIUM", "LOW")
CODE_PATTERN = re.compile(r"PBK[1-9]\d\d")
NAME_PATTERN = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
MIN_PYTHON_PATTERN = re.compile(r"3\.(\d+)")

REQUIRED = ("code", "name", "title", "category", "impact", "default", "message", "references")
OPTIONAL = ("min-python", "overlaps", "options")


class CatalogError(Exception):
    """A rule file is broken. The message names the file and the field."""


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    title: str
    category: str
    impact: str
    default: bool
    message: str
    references: tuple[str, ...]
    path: Path
    min_python: tuple[int, int] | None = None
    overlaps: tuple[str, ...] = ()
    options: tuple[str, ...] = ()
    placeholders: frozenset[str] = field(default_factory=frozenset)

    @property
    def url(self) -> str:
        return f"https://github.com/python-backend-kit/python-backend-kit/blob/main/rules/{self.path.name}"

    def format_message(self, args: dict[str, object]) -> str:
        return self.message.format_map(args) if self.placeholders else self.message

    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


# -- the frontmatter: a fast path for the usual subset of YAML, else PyYAML ----

_KEY_LINE = re.compile(r"([A-Za-z][A-Za-z0-9_-]*):(?: +(.*))?")
_ITEM_LINE = re.compile(r"( *)- +(.*)")
_FLOW_ITEM = re.compile(r"""\s*("[^"\\]*"|'[^']*')\s*(,|\]$)""")
# a plain scalar that YAML reads as a string: starts with a letter, no
# ": " or " #" (mapping value, comment), no tab, not ending in ":"
_PLAIN = re.compile(r"[A-Za-z](?:(?!: | #)[^\t])*")
# words YAML 1.1 resolves to booleans or null rather than strings
_NOT_STRINGS = frozenset({"yes", "no", "true", "false", "on", "off", "null", "y", "n", "~"})
_BOOLEANS = {"true": True, "false": False}


def _fast_scalar(text: str) -> object:
    """A scalar of the subset; raises ValueError when YAML must decide."""
    if text in _BOOLEANS:
        return _BOOLEANS[text]
    first = text[:1]
    if first == '"':
        if len(text) >= 2 and text.endswith('"') and '"' not in text[1:-1] and "\\" not in text:
            return text[1:-1]
    elif first == "'":
        if len(text) >= 2 and text.endswith("'") and "'" not in text[1:-1]:
            return text[1:-1]
    elif first == "[":
        return _fast_flow_list(text)
    elif _PLAIN.fullmatch(text) and not text.endswith(":") and text.lower() not in _NOT_STRINGS:
        return text
    raise ValueError(text)


def _fast_flow_list(text: str) -> list[str]:
    inner = text[1:]
    if inner.strip() == "]":
        return []
    items: list[str] = []
    pos = 0
    while True:
        match = _FLOW_ITEM.match(inner, pos)
        if match is None:
            raise ValueError(text)
        items.append(match.group(1)[1:-1])
        pos = match.end()
        if match.group(2) == "]":
            return items


def fast_frontmatter(front: str) -> dict[str, object] | None:
    """The mapping of a frontmatter in the usual subset of YAML, or None.

    None means "not sure": the caller hands the text to PyYAML. Whatever
    this returns is what ``yaml.safe_load`` returns for the same text.
    """
    meta: dict[str, object] = {}
    open_list: list[str] | None = None
    indent: str | None = None
    for raw in front.split("\n"):
        line = raw.rstrip(" ")
        if not line:
            continue
        if not line.isprintable():
            return None  # control characters, tabs, BOMs: YAML decides
        if open_list is not None:
            item = _ITEM_LINE.fullmatch(line)
            if item is not None and (indent is None or item.group(1) == indent):
                indent = item.group(1)
                value = _try(item.group(2))
                if not isinstance(value, str):
                    return None
                open_list.append(value)
                continue
            if not open_list:
                return None  # "key:" with nothing after it is null in YAML
            open_list = None
        match = _KEY_LINE.fullmatch(line)
        if match is None or match.group(1) in meta:
            return None  # continuation lines, comments, duplicate keys: YAML decides
        key, text = match.group(1), match.group(2)
        if not text:
            open_list, indent = [], None
            meta[key] = open_list
            continue
        value = _try(text)
        if value is _UNSURE:
            return None
        meta[key] = value
    if open_list is not None and not open_list:
        return None
    return meta or None


_UNSURE = object()


def _try(text: str) -> object:
    try:
        return _fast_scalar(text)
    except ValueError:
        return _UNSURE


def _yaml_frontmatter(front: str, path: Path) -> object:
    import yaml  # only for frontmatter outside the fast subset

    try:  # the C loader is several times faster; fall back when PyYAML lacks it
        loader = yaml.CSafeLoader
    except AttributeError:  # pragma: no cover - depends on how PyYAML was built
        loader = yaml.SafeLoader  # type: ignore[assignment]
    try:
        return yaml.load(front, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (frontmatter line {mark.line + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise CatalogError(f"{path}: bad YAML in frontmatter{where}: {problem}") from None


def split_frontmatter(text: str, path: Path) -> tuple[str, str]:
    """Return (frontmatter, body) of a rule file."""
    if not text.startswith("---\n"):
        raise CatalogError(f"{path}: the file must start with a '---' frontmatter line")
    end = text.find("\n---\n", 3)
    if end == -1:
        raise CatalogError(f"{path}: the frontmatter has no closing '---' line")
    return text[4:end], text[end + 5 :]


def _fail(path: Path, key: str, problem: str) -> CatalogError:
    return CatalogError(f"{path}: field '{key}': {problem}")


def _string(meta: dict, key: str, path: Path) -> str:
    value = meta[key]
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, key, "must be a non-empty string")
    return value.strip()


def _string_list(meta: dict, key: str, path: Path) -> tuple[str, ...]:
    value = meta.get(key, [])
    if value is None:
        value = []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _fail(path, key, "must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _placeholders(message: str, path: Path) -> frozenset[str]:
    names = set()
    try:
        for _, name, _, _ in string.Formatter().parse(message):
            if name is None:
                continue
            if not name.isidentifier():
                raise _fail(path, "message", f"placeholder {{{name}}} must be a plain name")
            names.add(name)
    except ValueError as exc:
        raise _fail(path, "message", f"is not a valid template ({exc})") from None
    return frozenset(names)


def _min_python(meta: dict, path: Path) -> tuple[int, int] | None:
    if "min-python" not in meta:
        return None
    raw = str(meta["min-python"])
    match = MIN_PYTHON_PATTERN.fullmatch(raw)
    if not match:
        raise _fail(path, "min-python", f"{raw!r} is not a version like \"3.11\"")
    return (3, int(match.group(1)))


def parse_rule(text: str, path: Path) -> Rule:
    front, _ = split_frontmatter(text, path)
    meta = fast_frontmatter(front)
    if meta is None:
        meta = _yaml_frontmatter(front, path)
    if not isinstance(meta, dict):
        raise CatalogError(f"{path}: the frontmatter must be a YAML mapping")
    for key in REQUIRED:
        if key not in meta:
            raise _fail(path, key, "is missing")
    unknown = sorted(set(meta) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise _fail(path, unknown[0], f"is not a known field (known: {', '.join(REQUIRED + OPTIONAL)})")

    code = _string(meta, "code", path)
    if not CODE_PATTERN.fullmatch(code) or code[3] not in CATEGORIES:
        raise _fail(path, "code", f"{code!r} is not a PBK code (PBK1xx to PBK4xx)")
    name = _string(meta, "name", path)
    if not NAME_PATTERN.fullmatch(name):
        raise _fail(path, "name", f"{name!r} must be lowercase words joined by hyphens")
    if path.name != f"{code}-{name}.md":
        raise _fail(path, "code", f"the file must be named {code}-{name}.md")
    category = _string(meta, "category", path)
    if category != CATEGORIES[code[3]]:
        raise _fail(path, "category", f"{category!r} does not match the code (expected {CATEGORIES[code[3]]!r})")
    impact = _string(meta, "impact", path)
    if impact not in IMPACTS:
        raise _fail(path, "impact", f"{impact!r} is not one of {', '.join(IMPACTS)}")
    default = meta["default"]
    if not isinstance(default, bool):
        raise _fail(path, "default", "must be true or false")
    message = _string(meta, "message", path)
    references = _string_list(meta, "references", path)
    if not references:
        raise _fail(path, "references", "must list at least one primary source")

    return Rule(
        code=code,
        name=name,
        title=_string(meta, "title", path),
        category=category,
        impact=impact,
        default=default,
        message=message,
        references=references,
        path=path,
        min_python=_min_python(meta, path),
        overlaps=_string_list(meta, "overlaps", path),
        options=_string_list(meta, "options", path),
        placeholders=_placeholders(message, path),
    )


def load_rules(directory: Path) -> dict[str, Rule]:
    """Load every ``PBK*.md`` file in *directory*, keyed by code."""
    rules: dict[str, Rule] = {}
    for path in sorted(directory.glob("*.md")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CatalogError(f"{path}: cannot read the rule file ({exc})") from None
        rule = parse_rule(text, path)
        if rule.code in rules:
            raise _fail(path, "code", f"{rule.code} is also defined in {rules[rule.code].path.name}")
        rules[rule.code] = rule
    if not rules:
        raise CatalogError(f"{directory}: no rule files found")
    return rules


@lru_cache(maxsize=1)
def bundled_rules() -> dict[str, Rule]:
    """The rules shipped with this installation (cached per process)."""
    from .bundle_paths import rules_dir

    return load_rules(rules_dir())
