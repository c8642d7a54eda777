"""Benchmark: CPU seconds of python-backend-kit against the physical limit
(a bare ``ast.parse`` loop), flake8 with and without our plugin, flake8 with
flake8-async, and ruff's ASYNC rules; import + rule-load time; memory as the
tree grows.

Run it from the repository root, in a venv of its own where the package,
flake8, flake8-async and ruff are installed (not the test venv: flake8-async
installed there would add ASYNC lines to every flake8 run of the tests)::

    python3 -m venv .venv-bench && .venv-bench/bin/pip install -e . flake8-async ruff
    bash ../shared/corpus/make_corpus.sh .corpus      # optional: the corpus
    .venv-bench/bin/python bench/run.py               # stdlib + .corpus/src
    .venv-bench/bin/python bench/run.py --corpus /path/to/corpus/src --repeat 5
    .venv-bench/bin/python bench/run.py --quick       # every 5th file, 1 run

A full run takes about an hour on a 2-core machine, most of it flake8 with
flake8-async (which is much slower than flake8 itself): that one runs once,
on every 10th file, next to plain flake8 on the same files, and the table
shows the ratio (--async-every N changes the sample; 0 leaves it out).

Every tool runs as its own process over the same explicit list of ``.py``
files; CPU = user + system seconds of that process (``os.wait4``), so start-up
and imports count. Repetitions are interleaved (tool A, B, C, A, B, C ...) so
drift in machine speed hits every tool alike; the table shows the median.
Results go to stdout, bench/results/latest.md (not committed) and, unless
--no-readme, to the README section between the bench markers.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
README = ROOT / "README.md"
RESULTS = HERE / "results"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
SKIPPED_DIRS = {"__pycache__", "site-packages", ".git", ".venv", "venv", "node_modules"}

TARGET_PARSE_RATIO = 1.5
TARGET_PLUGIN_OVERHEAD = 0.10
TARGET_IMPORT_MS = 50.0


# -- the trees --------------------------------------------------------------
def python_files(root: Path, every: int = 1) -> list[str]:
    """Every ``.py`` file under *root*, relative, sorted; each *every*-th one."""
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        for name in sorted(files):
            if name.endswith(".py"):
                found.append(os.path.relpath(os.path.join(folder, name), root))
    return found[::every]


# -- the tools --------------------------------------------------------------
def _script(name: str) -> str | None:
    """A console script of this venv (next to the interpreter) or on PATH."""
    local = Path(sys.executable).parent / name
    if local.exists():
        return str(local)
    return shutil.which(name)


def _has_module(name: str) -> bool:
    return subprocess.run([sys.executable, "-c", f"import {name}"], capture_output=True).returncode == 0


def _pbk_supports_jobs() -> bool:
    out = subprocess.run([sys.executable, "-m", "python_backend_kit.cli.main", "check", "--help"], capture_output=True, text=True)
    return "--jobs" in out.stdout


@dataclass
class Tool:
    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    note: str = ""
    # too slow to repeat over whole trees: run once on a sample, next to plain flake8
    sampled: bool = False


def tools(selected: set[str] | None) -> tuple[list[Tool], list[str]]:
    py = sys.executable
    out: list[Tool] = []
    missing: list[str] = []
    jobs = ["--jobs", "1"] if _pbk_supports_jobs() else []
    pbk = [py, "-m", "python_backend_kit.cli.main"]
    out.append(Tool("parse", [py, str(HERE / "parse_loop.py")], note="read + ast.parse every file, nothing else (the target's yardstick)"))
    out.append(Tool("parse-nogc", [py, str(HERE / "parse_loop.py"), "--no-gc"],
                    note="the same with the cyclic GC off, as pbk parses (shown for honesty: pbk / this is the stricter ratio)"))
    out.append(Tool("pbk", [*pbk, "check", "--select", "PBK", "--exit-zero", *jobs],
                    note="pbk check --select PBK" + (" --jobs 1" if jobs else " (no --jobs flag yet: one process anyway)")))
    if _has_module("flake8"):
        base = [py, str(HERE / "flake8_with.py")]
        common = ["-j1", "--isolated", "--exit-zero"]
        out.append(Tool("flake8", [*base, "", "--", *common, "--select", "E,F,W,C90"], note="flake8 -j1 --select E,F,W,C90, no other plugin loaded"))
        out.append(Tool("flake8+pbk", [*base, "python-backend-kit", "--", *common, "--select", "E,F,W,C90,PBK"], note="the same plus our plugin, every PBK rule"))
        if _has_module("flake8_async"):
            out.append(Tool("flake8+async", [*base, "flake8-async", "--", *common, "--select", "E,F,W,C90,ASYNC"],
                            note="flake8 plus flake8-async instead of ours; measured once on a sample of the files next to plain flake8, "
                                 "the cell is plain flake8's median times that ratio", sampled=True))
        else:
            missing.append("flake8-async (pip install flake8-async)")
    else:
        missing.append("flake8")
    ruff = _script("ruff")
    if ruff:
        out.append(Tool("ruff", [ruff, "check", "--select", "ASYNC", "--isolated", "--no-cache", "--exit-zero"],
                        env={"RAYON_NUM_THREADS": "1"}, note="ruff check --select ASYNC, one thread (compiled reference)"))
    else:
        missing.append("ruff (pip install ruff)")
    if selected:
        out = [t for t in out if t.name in selected]
    return out, missing


@dataclass
class Run:
    cpu: float
    wall: float
    maxrss_mib: float
    status: int
    output: str


def measure(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """CPU seconds (user + system) and peak RSS of one child process."""
    with tempfile.TemporaryFile("w+") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        out.seek(0)
        text = out.read()
    return Run(usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024, proc.returncode, text)


# -- import time -------------------------------------------------------------
IMPORT_PROBE = """
import time
start = time.perf_counter()
import {module}
from python_backend_kit.catalog import bundled_rules
from python_backend_kit.checks import load_checks
from python_backend_kit.checks.registry import REGISTRY
rules = bundled_rules(); load_checks()
took = (time.perf_counter() - start) * 1000
print(took, len(rules), len(REGISTRY))
"""


def import_times(repeat: int) -> dict[str, dict[str, float]]:
    """Fresh interpreter each time: import the door and load every rule file and check.

    Measured as an installed package runs: with bytecode caches (pip writes
    them at install time; PYTHONDONTWRITEBYTECODE would make every run
    compile our modules from source), after one warm-up run that writes them.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    result = {}
    for label, module in (("flake8 plugin", "python_backend_kit.flake8_plugin"), ("pbk check", "python_backend_kit.cli.check")):
        samples = []
        counts = (0, 0)
        subprocess.run([sys.executable, "-c", IMPORT_PROBE.format(module=module)], capture_output=True, env=env, check=True)
        for _ in range(repeat):
            out = subprocess.run([sys.executable, "-c", IMPORT_PROBE.format(module=module)], capture_output=True, text=True, env=env, check=True)
            took, rules, checks = out.stdout.split()
            samples.append(float(took))
            counts = (int(rules), int(checks))
        result[label] = {"median_ms": statistics.median(samples), "min_ms": min(samples), "rules": counts[0], "checks": counts[1]}
    return result


# -- report --------------------------------------------------------------------
def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, CPython {platform.python_version()}"


def versions() -> str:
    parts = []
    for dist in ("python-backend-kit", "flake8", "flake8-async", "ruff"):
        try:
            from importlib.metadata import version

            parts.append(f"{dist} {version(dist)}")
        except Exception:  # noqa: BLE001 - not installed
            pass
    return ", ".join(parts)


def render(trees: dict, imports: dict, curves: dict, tool_list: list[Tool], missing: list[str], args: argparse.Namespace) -> tuple[str, list[str]]:
    lines = [f"Machine: {machine()}.  ", f"Versions: {versions()}.  ",
             f"Median of {args.repeat} interleaved runs; CPU = user + system seconds of the whole process.", ""]
    names = [t.name for t in tool_list if not t.sampled or any(t.name in d.get("samples", {}) for d in trees.values())]
    header = "| tree | files | " + " | ".join(names) + " |"
    lines += [header, "|" + "---|" * (len(names) + 2)]
    verdicts: list[str] = []
    for label, data in trees.items():
        cells = []
        for name in names:
            runs = data["runs"].get(name, [])
            sample = data.get("samples", {}).get(name)
            if runs:
                cells.append(f"{statistics.median(r.cpu for r in runs):.2f} s")
            elif sample and data["runs"].get("flake8"):
                estimate = statistics.median(r.cpu for r in data["runs"]["flake8"]) * sample[2] / sample[1]
                cells.append(f"~{estimate:.0f} s (est.)")
            else:
                cells.append("-")
        lines.append(f"| {label} | {data['files']} | " + " | ".join(cells) + " |")
    lines.append("")
    for label, data in trees.items():
        med = {n: statistics.median(r.cpu for r in rs) for n, rs in data["runs"].items() if rs}
        if "parse" in med and "pbk" in med:
            ratio = med["pbk"] / med["parse"]
            ok = ratio <= TARGET_PARSE_RATIO
            # runs are interleaved, so run i of each tool saw the machine alike: the spread of these
            # ratios shows how far one run's verdict can be trusted
            per_run = [p.cpu / q.cpu for p, q in zip(data["runs"]["pbk"], data["runs"]["parse"]) if q.cpu]
            spread = f" (single runs {min(per_run):.2f}x to {max(per_run):.2f}x)" if len(per_run) > 1 else ""
            verdicts.append(f"{label}: pbk check = {ratio:.2f}x the bare parse loop{spread} (target <= {TARGET_PARSE_RATIO}x) {'OK' if ok else 'MISSED'}")
        if "flake8" in med and "flake8+pbk" in med:
            extra = med["flake8+pbk"] / med["flake8"] - 1
            ok = extra <= TARGET_PLUGIN_OVERHEAD
            verdicts.append(f"{label}: our plugin adds {extra * 100:+.1f}% CPU to flake8 (target <= +{TARGET_PLUGIN_OVERHEAD * 100:.0f}%) {'OK' if ok else 'MISSED'}")
        if "parse-nogc" in med and "pbk" in med:
            verdicts.append(f"{label}: pbk check = {med['pbk'] / med['parse-nogc']:.2f}x the parse loop with the GC off (stricter yardstick)")
        sample = data.get("samples", {}).get("flake8+async")
        if sample:
            count, base, other = sample
            verdicts.append(f"{label}: flake8-async adds {(other / base - 1) * 100:+.0f}% CPU to flake8 "
                            f"(for comparison; measured on every {args.async_every}th file: {count} files, {base:.1f} s vs {other:.1f} s)")
        pbk_runs = data["runs"].get("pbk", [])
        crashes = sum(r.output.count(" PBK000 ") for r in pbk_runs[:1])
        if pbk_runs:
            verdicts.append(f"{label}: PBK000 internal errors in pbk's output: {crashes}")
    for label, info in imports.items():
        ok = info["median_ms"] < TARGET_IMPORT_MS
        verdicts.append(f"import + load {info['rules']} rule files and {info['checks']} checks ({label}): "
                        f"{info['median_ms']:.1f} ms median, {info['min_ms']:.1f} ms min (target < {TARGET_IMPORT_MS:.0f} ms) {'OK' if ok else 'MISSED'}")
    for label, curve in curves.items():
        heap, rss, objects = curve["heap_mib"], curve["rss_mib"], curve["objects"]
        # flat: what a finished file leaves behind does not add up
        ok = heap[-1] - heap[1] <= max(1.0, 0.1 * heap[1]) and objects[-1] - objects[1] <= 1000
        verdicts.append(f"{label}: memory after 10%, 50%, 100% of {curve['files']} files, one at a time: Python heap in use "
                        f"{heap[1]}, {heap[5]}, {heap[-1]} MiB; GC-tracked objects {objects[1]}, {objects[5]}, {objects[-1]}; "
                        f"RSS {rss[1]}, {rss[5]}, {rss[-1]} MiB (peak {curve['peak_mib']} MiB, set by the largest file) "
                        f"{'flat: OK' if ok else 'GROWING: MISSED'}")
    lines += [f"- {v}" for v in verdicts]
    if missing:
        lines += ["", "Not measured (not installed): " + ", ".join(missing)]
    lines += ["", "Tools:"] + [f"- {t.name}: {t.note}" for t in tool_list]
    return "\n".join(lines) + "\n", verdicts


def update_readme(section: str) -> bool:
    if not README.exists():
        return False
    text = README.read_text(encoding="utf-8")
    if START not in text or END not in text:
        return False
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{START}\n{section}{END}{tail}", encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path(".corpus/src"), help="the corpus tree (default: .corpus/src)")
    parser.add_argument("--stdlib", type=Path, default=Path(sysconfig.get_paths()["stdlib"]), help="default: this interpreter's stdlib")
    parser.add_argument("--no-stdlib", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="interleaved runs per tool (default 3)")
    parser.add_argument("--every", type=int, default=1, help="take every N-th file (a quicker, smaller sample)")
    parser.add_argument("--quick", action="store_true", help="--every 5 --repeat 1")
    parser.add_argument("--only", help="comma-separated tools: parse,parse-nogc,pbk,flake8,flake8+pbk,flake8+async,ruff")
    parser.add_argument("--async-every", type=int, default=10, help="flake8-async runs on every N-th file (default 10; 0: skip)")
    parser.add_argument("--no-readme", action="store_true", help="do not touch README.md")
    args = parser.parse_args(argv)
    # measure as an installed package runs: with bytecode caches
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    if args.quick:
        args.every, args.repeat = 5, 1

    roots = {}
    if not args.no_stdlib:
        roots[f"stdlib {platform.python_version()}"] = args.stdlib
    if args.corpus.is_dir():
        roots["corpus"] = args.corpus.resolve()
    else:
        print(f"no corpus at {args.corpus} (bash ../shared/corpus/make_corpus.sh .corpus, or --corpus PATH); measuring the stdlib only")
    tool_list, missing = tools(set(args.only.split(",")) if args.only else None)
    trees = {label: {"root": root, "files": 0, "list": python_files(root, args.every), "runs": {t.name: [] for t in tool_list}} for label, root in roots.items()}
    for data in trees.values():
        data["files"] = len(data["list"])

    for rep in range(args.repeat):
        for label, data in trees.items():
            for tool in tool_list:
                if tool.sampled:
                    continue
                run = measure([*tool.argv, *data["list"]], data["root"], tool.env)
                data["runs"][tool.name].append(run)
                print(f"run {rep + 1}/{args.repeat} {label:>14} {tool.name:>13}: {run.cpu:7.2f} s CPU {run.wall:7.2f} s wall {run.maxrss_mib:6.0f} MiB peak (exit {run.status})", flush=True)
                if run.status not in (0,) and tool.name != "parse":
                    print("   " + "\n   ".join(run.output.strip().splitlines()[-5:]))

    plain = next((t for t in tool_list if t.name == "flake8"), None)
    for label, data in trees.items():
        for tool in tool_list:
            if not tool.sampled or plain is None or args.async_every <= 0:
                continue
            sample = data["list"][:: args.async_every]
            base_run = measure([*plain.argv, *sample], data["root"], plain.env)
            run = measure([*tool.argv, *sample], data["root"], tool.env)
            data.setdefault("samples", {})[tool.name] = (len(sample), base_run.cpu, run.cpu)
            print(f"sample 1/{args.async_every} {label:>14} {tool.name:>13}: {run.cpu:7.2f} s CPU vs flake8 {base_run.cpu:7.2f} s on {len(sample)} files", flush=True)

    imports = import_times(max(10, args.repeat * 5))
    curves = {}
    for label, data in trees.items():
        run = measure([sys.executable, str(HERE / "rss_curve.py"), *data["list"]], data["root"])
        if run.status == 0:
            curves[label] = json.loads(run.output.strip().splitlines()[-1])
        else:
            print(f"rss_curve failed on {label}:\n{run.output[-2000:]}")

    report, _ = render(trees, imports, curves, tool_list, missing, args)
    print()
    print(report)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.md").write_text(f"# Benchmark ({time.strftime('%Y-%m-%d %H:%M')})\n\n{report}", encoding="utf-8")
    print(f"written: {RESULTS / 'latest.md'}")
    if not args.no_readme and args.every == 1 and update_readme(report):
        print(f"updated: {README} (between {START} and {END})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
