"""``pbk skill``: install the skill bundle into an agent, or show where it is."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..bundle_paths import bundle_root
from ..config import ConfigError
from ..skill import AGENTS, SkillInstallError, install, skills_folder


def add_parser(commands: argparse._SubParsersAction) -> None:
    skill = commands.add_parser("skill", help="install the agent skill, or print where it lives")
    actions = skill.add_subparsers(dest="skill_command", metavar="{install,path}", required=True, parser_class=type(skill))

    inst = actions.add_parser(
        "install",
        help="copy the skill into an agent's skills folder",
        description=(
            "Copy SKILL.md, rules/, checklists/, references/ and examples/ into "
            "<skills folder>/python-backend-kit. Agents: "
            + "; ".join(f"{name}: {project} (project), ~/{user} (--user)" for name, (project, user) in AGENTS.items())
        ),
    )
    inst.add_argument("--agent", choices=sorted(AGENTS), default="claude", help="which agent's folder (default: claude)")
    scope = inst.add_mutually_exclusive_group()
    scope.add_argument("--project", dest="user", action="store_false", help="the current project (default)")
    scope.add_argument("--user", dest="user", action="store_true", help="your home folder, for every project")
    inst.set_defaults(user=False)
    inst.add_argument("--dest", type=Path, help="install into DEST/python-backend-kit instead")
    inst.add_argument("--force", action="store_true", help="replace a different skill of the same name")

    actions.add_parser("path", help="print the folder of the bundled skill")


def run_skill(args: argparse.Namespace) -> int:
    if args.skill_command == "path":
        print(bundle_root())
        return 0
    try:
        folder = args.dest if args.dest is not None else skills_folder(args.agent, args.user)
        result = install(folder, force=args.force)
    except (SkillInstallError, OSError) as exc:
        raise ConfigError(f"pbk skill install: {exc}") from None
    words = {
        "installed": "installed",
        "updated": "updated",
        "replaced": "replaced",
        "unchanged": "already up to date:",
    }
    print(f"python-backend-kit skill {words[result.status]} {result.path} ({result.files} files)", file=sys.stdout)
    return 0
