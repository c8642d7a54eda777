"""Memory while ``pbk check`` goes through a tree, file by file (used by
bench/run.py). Prints one JSON object with, after each tenth of the files:
the Python heap still in use (tracemalloc; flat means nothing of a finished
file is kept), the number of objects the GC tracks, and the resident set
size (which keeps the high-water mark of the largest file so far: the
allocator does not hand freed memory back to the OS), plus the peak RSS.

Usage: python rss_curve.py FILE...
"""

import gc
import json
import resource
import sys
from pathlib import Path


def rss_mib() -> float:
    try:
        with open("/proc/self/statm") as handle:
            pages = int(handle.read().split()[1])
        return pages * resource.getpagesize() / 2**20
    except OSError:  # not Linux: the peak is all we have
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(paths: list[str]) -> int:
    from python_backend_kit.catalog import bundled_rules
    from python_backend_kit.cli.runner import check_file
    from python_backend_kit.engine import Settings

    import tracemalloc

    settings = Settings(codes=frozenset(bundled_rules()))
    marks = {max(1, len(paths) * k // 10): k for k in range(1, 11)}
    tracemalloc.start()
    rss, heap, objects = [round(rss_mib(), 1)], [0.0], [len(gc.get_objects())]
    for done, path in enumerate(paths, 1):
        check_file(Path(path), settings, path)
        if done in marks:
            rss.append(round(rss_mib(), 1))
            heap.append(round(tracemalloc.get_traced_memory()[0] / 2**20, 2))
            objects.append(len(gc.get_objects()))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"files": len(paths), "rss_mib": rss, "heap_mib": heap, "objects": objects, "peak_mib": round(peak, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
