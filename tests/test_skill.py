"""The skill bundle: SKILL.md conventions, links, checklists, references,
and the installer (`pbk skill install` / `pbk skill path`)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from python_backend_kit import __version__
from python_backend_kit.bundle_paths import BUNDLE_PARTS
from python_backend_kit.catalog import bundled_rules
from python_backend_kit.cli.main import main as pbk
from python_backend_kit.skill import (
    AGENTS,
    SKILL_NAME,
    SkillInstallError,
    bundle_files,
    forbidden_files,
    install,
    skills_folder,
)

ROOT = Path(__file__).resolve().parent.parent
SKILL_MD = ROOT / "SKILL.md"
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")

# The catalog of shared/spec/rules.md: every code a checklist may name.
CATALOG = frozenset(
    [f"PBK1{n:02d}" for n in range(1, 16)]
    + [f"PBK2{n:02d}" for n in range(1, 11)]
    + [f"PBK3{n:02d}" for n in range(1, 11)]
    + [f"PBK4{n:02d}" for n in range(1, 10)]
)
CHECKLISTS = ("async-implementation", "fastapi-production", "sqlalchemy-async", "pools-and-http-clients")


def split(text: str) -> tuple[dict, str]:
    assert text.startswith("---\n")
    end = text.index("\n---\n", 4)
    return yaml.safe_load(text[4:end]), text[end + 5 :]


FRONT, BODY = split(SKILL_MD.read_text(encoding="utf-8"))


# -- SKILL.md ------------------------------------------------------------------------------


def test_frontmatter_has_only_the_allowed_keys():
    assert set(FRONT) <= {"name", "description", "license", "metadata"}
    assert {"name", "description", "license", "metadata"} <= set(FRONT)


def test_name_follows_the_spec():
    name = FRONT["name"]
    assert name == SKILL_NAME == "python-backend-kit"
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name) and len(name) <= 64
    assert "claude" not in name and "anthropic" not in name


def test_description_limits_and_trigger_words():
    description = FRONT["description"]
    assert isinstance(description, str) and len(description) <= 1024
    assert "<" not in description and ">" not in description
    assert "---" not in description  # some parsers split the file on it
    first_word = description.split()[0]
    assert first_word.endswith("s") and first_word not in ("Use", "I", "You"), "third person"
    for word in ("asyncio", "FastAPI", "SQLAlchemy", "AsyncSession", "connection pool", "flake8", "PBK"):
        assert word in description, word


def test_metadata_carries_the_version_as_strings():
    metadata = FRONT["metadata"]
    assert metadata["version"] == __version__
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())


def test_body_stays_short():
    assert len(BODY.splitlines()) < 200
    assert len(SKILL_MD.read_text(encoding="utf-8").splitlines()) < 500


def test_body_describes_the_workflow():
    for needle in ("pbk check", "flake8 --select PBK", "rules/<CODE>-*.md", "## Key decisions", "## Gotchas"):
        assert needle in BODY, needle


def _links(path: Path) -> list[str]:
    return [m.group(1) for m in LINK.finditer(path.read_text(encoding="utf-8"))]


def _slug(heading: str) -> str:
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    return {_slug(m.group(1)) for m in re.finditer(r"^#{1,6} (.+)$", path.read_text(encoding="utf-8"), re.M)}


def _check_links(path: Path) -> list[str]:
    broken = []
    for target in _links(path):
        if re.match(r"[a-z]+:", target):
            continue  # external
        file_part, _, anchor = target.partition("#")
        resolved = (path.parent / file_part).resolve() if file_part else path
        if not resolved.exists():
            broken.append(target)
        elif anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved):
            broken.append(target)
    return broken


def test_every_link_in_skill_md_resolves():
    assert _check_links(SKILL_MD) == []


@pytest.mark.parametrize("path", sorted((ROOT / "checklists").glob("*.md")) + sorted((ROOT / "references").glob("*.md")), ids=lambda p: p.name)
def test_every_link_in_checklists_and_references_resolves(path):
    assert _check_links(path) == []


def test_every_bundled_file_is_linked_from_skill_md():
    linked = {(ROOT / t.partition("#")[0]).resolve() for t in _links(SKILL_MD) if not re.match(r"[a-z]+:", t)}
    unlinked = [str(f) for f in bundle_files(ROOT) if f != Path("SKILL.md") and (ROOT / f).resolve() not in linked]
    assert unlinked == []


def test_every_rule_file_is_in_the_index():
    index = BODY[BODY.index("<!-- rules:start -->") : BODY.index("<!-- rules:end -->")]
    for code, rule in bundled_rules().items():
        rows = [line for line in index.splitlines() if f"rules/{rule.path.name}" in line]
        assert len(rows) == 1, code
        assert all(part in rows[0] for part in (code, rule.name, rule.impact, rule.title))


def test_no_bundled_file_has_a_name_installers_drop():
    files = bundle_files(ROOT)
    assert files and forbidden_files(files) == []
    # and nothing under the bundle folders would be dropped either, junk included
    for part in BUNDLE_PARTS:
        for path in (ROOT / part).rglob("*") if (ROOT / part).is_dir() else []:
            if "__pycache__" in path.parts or path.name.startswith("."):
                continue
            assert path.name not in ("README.md", "metadata.json") and not path.name.startswith("_"), path


def test_bundle_has_every_part():
    files = {f.parts[0] for f in bundle_files(ROOT)}
    assert files == set(BUNDLE_PARTS)


# -- checklists and references -------------------------------------------------------------


def _items(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("- [ ]")]


def test_the_four_checklists_exist():
    assert sorted(p.stem for p in (ROOT / "checklists").glob("*.md")) == sorted(CHECKLISTS)


@pytest.mark.parametrize("name", CHECKLISTS)
def test_every_checklist_item_names_its_check_or_says_manual(name):
    items = _items(ROOT / "checklists" / f"{name}.md")
    assert len(items) >= 10
    for item in items:
        codes = re.findall(r"PBK\d{3}", item)
        assert codes or item.rstrip().endswith("manual"), item
        assert set(codes) <= CATALOG, item


def test_checklist_codes_have_rule_files_once_they_land():
    named = {c for p in (ROOT / "checklists").glob("*.md") for c in re.findall(r"PBK\d{3}", p.read_text())}
    rules = bundled_rules()
    assert named <= CATALOG
    landed = {code for code in named if code in rules}
    assert all(rules[code].path.exists() for code in landed)
    if CATALOG <= set(rules):  # every rule has landed: every named code must have its file
        assert named <= set(rules)


def test_every_catalog_rule_is_on_some_checklist():
    named = {c for p in (ROOT / "checklists").glob("*.md") for c in re.findall(r"PBK\d{3}", p.read_text())}
    assert CATALOG <= named


def test_opt_in_marks_match_the_rule_files():
    rules = bundled_rules()
    for path in (ROOT / "checklists").glob("*.md"):
        for item in _items(path):
            for code in re.findall(r"PBK\d{3}", item):
                if code in rules and not rules[code].default:
                    assert "opt-in" in item, (path.name, item)


@pytest.mark.parametrize("path", sorted((ROOT / "references").glob("*.md")), ids=lambda p: p.name)
def test_references_are_short_with_contents(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) < 300
    if len(lines) > 100:
        assert "## Contents" in lines
    assert "## References" in lines


def test_the_five_references_exist():
    names = {p.stem for p in (ROOT / "references").glob("*.md")}
    assert names == {
        "pool-sizing", "cancellation", "sessions-and-transactions", "resource-lifetimes",
        "changes-from-python-backend",
    }


# -- installer -------------------------------------------------------------------------------


def test_install_copies_exactly_the_skill_files(tmp_path):
    result = install(tmp_path)
    assert result.status == "installed"
    target = tmp_path / SKILL_NAME
    installed = sorted(p.relative_to(target) for p in target.rglob("*") if p.is_file())
    assert installed == sorted(bundle_files())
    assert (target / "SKILL.md").read_bytes() == SKILL_MD.read_bytes()


def test_installed_copy_passes_skills_ref_validation(tmp_path):
    skills_ref = pytest.importorskip("skills_ref")
    assert pbk(["skill", "install", "--dest", str(tmp_path)]) == 0
    errors = skills_ref.validate(tmp_path / SKILL_NAME)
    assert errors == []
    assert skills_ref.read_properties(tmp_path / SKILL_NAME).name == SKILL_NAME


def test_install_is_idempotent(tmp_path, capsys):
    assert pbk(["skill", "install", "--dest", str(tmp_path)]) == 0
    assert pbk(["skill", "install", "--dest", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "installed" in out and "already up to date" in out


def test_install_updates_an_older_copy_of_this_skill(tmp_path):
    install(tmp_path)
    target = tmp_path / SKILL_NAME
    (target / "references" / "cancellation.md").write_text("old text\n")
    (target / "checklists" / "stale.md").write_text("a file the new version dropped\n")
    assert install(tmp_path).status == "updated"
    assert not (target / "checklists" / "stale.md").exists()
    assert (target / "references" / "cancellation.md").read_bytes() == (ROOT / "references" / "cancellation.md").read_bytes()


def test_install_refuses_a_different_skill_of_the_same_name(tmp_path, capsys):
    other = tmp_path / SKILL_NAME
    other.mkdir()
    (other / "SKILL.md").write_text("---\nname: python-backend-kit\ndescription: someone else's skill\n---\nbody\n")
    assert pbk(["skill", "install", "--dest", str(tmp_path)]) == 2
    assert "--force" in capsys.readouterr().err
    assert (other / "SKILL.md").read_text().startswith("---\nname: python-backend-kit\ndescription: someone")
    assert pbk(["skill", "install", "--dest", str(tmp_path), "--force"]) == 0
    assert (other / "SKILL.md").read_bytes() == SKILL_MD.read_bytes()


def test_install_refuses_a_folder_that_is_not_a_skill(tmp_path):
    (tmp_path / SKILL_NAME).mkdir()
    (tmp_path / SKILL_NAME / "notes.txt").write_text("mine")
    with pytest.raises(SkillInstallError):
        install(tmp_path)
    assert (tmp_path / SKILL_NAME / "notes.txt").exists()


def test_install_leaves_caches_and_dotfiles_behind(tmp_path):
    source = tmp_path / "source"
    for relative in bundle_files():
        (source / relative).parent.mkdir(parents=True, exist_ok=True)
        (source / relative).write_bytes((ROOT / relative).read_bytes())
    (source / "examples" / "clean_app" / "__pycache__").mkdir()
    (source / "examples" / "clean_app" / "__pycache__" / "main.cpython-311.pyc").write_bytes(b"x")
    (source / "examples" / "clean_app" / "clean_app.db").write_bytes(b"x")
    (source / "checklists" / ".gitkeep").write_text("")
    result = install(tmp_path / "dest", source=source)
    target = result.path
    assert sorted(p.relative_to(target) for p in target.rglob("*") if p.is_file()) == sorted(bundle_files())


@pytest.mark.parametrize("agent, user, expected", [
    ("claude", False, "project/.claude/skills"),
    ("claude", True, "home/.claude/skills"),
    ("agents", False, "project/.agents/skills"),
    ("agents", True, "home/.agents/skills"),
    ("codex", False, "project/.agents/skills"),
    ("cursor", True, "home/.cursor/skills"),
    ("gemini", False, "project/.gemini/skills"),
    ("copilot", False, "project/.github/skills"),
    ("copilot", True, "home/.copilot/skills"),
    ("opencode", True, "home/.config/opencode/skills"),
])
def test_agent_folders(tmp_path, agent, user, expected):
    assert skills_folder(agent, user, project=tmp_path / "project", home=tmp_path / "home") == tmp_path / expected


def test_cli_installs_into_the_project_and_the_user_folder(tmp_path, monkeypatch):
    project, home = tmp_path / "project", tmp_path / "home"
    project.mkdir()
    monkeypatch.chdir(project)
    monkeypatch.setenv("HOME", str(home))
    assert pbk(["skill", "install"]) == 0
    assert (project / ".claude" / "skills" / SKILL_NAME / "SKILL.md").is_file()
    assert pbk(["skill", "install", "--agent", "agents", "--user"]) == 0
    assert (home / ".agents" / "skills" / SKILL_NAME / "SKILL.md").is_file()
    assert pbk(["skill", "install", "--agent", "nope"]) == 2


def test_skill_path_prints_the_bundle(capsys):
    assert pbk(["skill", "path"]) == 0
    folder = Path(capsys.readouterr().out.strip())
    assert (folder / "SKILL.md").is_file() and (folder / "rules").is_dir()


def test_every_agent_has_a_project_and_user_folder():
    assert {"claude", "agents"} <= set(AGENTS)
    for project, user in AGENTS.values():
        assert project.endswith("skills") and user.endswith("skills")


# -- Claude Code plugin ----------------------------------------------------------------------


def test_claude_plugin_manifests():
    import json

    plugin = json.loads((ROOT / ".claude-plugin" / "plugin.json").read_text())
    market = json.loads((ROOT / ".claude-plugin" / "marketplace.json").read_text())
    assert plugin["name"] == SKILL_NAME and plugin["version"] == __version__
    for skill in plugin["skills"]:
        assert (ROOT / skill / "SKILL.md").is_file()
    assert market["owner"]["name"]
    [entry] = market["plugins"]
    assert entry["name"] == SKILL_NAME and entry["source"] == "./"
