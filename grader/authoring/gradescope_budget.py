"""``python -m grader.authoring.gradescope_budget``: what one submission costs on Gradescope.

Gradescope's default autograder machine gives 768 MB of memory and half a vCPU. This builds
the bundle (:mod:`grader.authoring.gradescope`), sets it up in a scratch ``/autograder`` tree,
and runs ``run_autograder`` on a few submissions (the reference, the untouched stubs), each
pinned to one CPU (``taskset``; half a vCPU takes about twice the wall time), while it samples
the memory of the whole process tree: the test process, the fork server and every sandbox.
It prints, per submission, the wall time and the peak of the tree's proportional set size
(PSS: shared pages, torch's libraries among them, counted once across the processes), beside
the 768 MB budget. A benchmark script, not a test: the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

from grader.authoring.gradescope import build_bundle
from grader.core.paths import EXERCISES_DIR, SOLUTIONS_DIR

GRADESCOPE_MEMORY_MB = 768  # Gradescope's default autograder memory (and 0.5 vCPU)
SAMPLE_SECONDS = 0.1


def tree_pss_bytes(root_pid: int) -> int:
    """The summed PSS of ``root_pid`` and all its descendants, from /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, frontier = {root_pid}, [root_pid]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    total = 0
    for pid in tree:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def measure(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, int, int]:
    """(wall seconds, peak tree PSS in bytes, exit code) of ``command``."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_pss_bytes(process.pid))
            time.sleep(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = process.wait()
    done.set()
    sampler.join()
    return time.perf_counter() - start, peak, code


def submissions() -> dict[str, Path]:
    """The submissions measured: folders of exercise modules."""
    return {"reference (every exercise graded)": SOLUTIONS_DIR, "untouched stubs": EXERCISES_DIR}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cpu", default="0", help="the CPU to pin to (taskset -c; default 0)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="gradescope-budget-") as scratch:
        root = Path(scratch) / "autograder"
        bundle = Path(scratch) / "autograder.zip"
        build_bundle(bundle)
        with zipfile.ZipFile(bundle) as archive:
            for info in archive.infolist():
                target = Path(archive.extract(info, root / "source"))
                target.chmod(info.external_attr >> 16 & 0o777)
        path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
        env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_SKIP_INSTALL": "1",
               "PATH": path}  # fmt: skip
        subprocess.run([str(root / "source" / "setup.sh")], env=env, check=True,
                       capture_output=True)  # fmt: skip
        pin = ["taskset", "-c", args.cpu] if shutil.which("taskset") else []
        print(f"{'submission':36} {'wall s':>7} {'peak PSS MB':>12} {'of 768 MB':>9}  exit")
        for name, folder in submissions().items():
            shutil.rmtree(root / "submission", ignore_errors=True)
            shutil.rmtree(root / "results", ignore_errors=True)
            shutil.copytree(folder, root / "submission", ignore=shutil.ignore_patterns("__*"))
            (root / "results").mkdir()
            wall, peak, code = measure([*pin, str(root / "source" / "run_autograder")], env, root)
            share = peak / (GRADESCOPE_MEMORY_MB * 1e6)
            print(f"{name:36} {wall:7.1f} {peak / 1e6:12.0f} {share:9.0%}  {code}")
    print(f"pinned to CPU {args.cpu}: " + ("yes" if pin else "no (taskset missing)"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
