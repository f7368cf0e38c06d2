#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder image (Ubuntu): Python 3.11 or newer
# and the pinned dependencies (constraints.txt) in a virtual environment, $AUTOGRADER_ROOT/venv.
# AUTOGRADER_SKIP_INSTALL=1: install nothing, check that the python3 on PATH can grade instead.
set -euo pipefail
root="${AUTOGRADER_ROOT:-/autograder}"
cd "$root/source"

recent_enough() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; }

if [ "${AUTOGRADER_SKIP_INSTALL:-0}" = 1 ]; then
    recent_enough python3 || { echo "setup.sh: python3 is older than 3.11" >&2; exit 1; }
    python3 -m grader --help > /dev/null
    echo "setup.sh: AUTOGRADER_SKIP_INSTALL=1: nothing installed; python3 can run the grader"
    exit 0
fi

python=""
for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" > /dev/null && recent_enough "$candidate"; then
        python="$candidate"
        break
    fi
done
if [ -z "$python" ]; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y python3.11 python3.11-venv
    python=python3.11
fi
"$python" -m venv "$root/venv"
# torch's CPU build (its "+cpu" wheel satisfies the pin): grading needs no GPU, and PyPI's
# default build pulls several GB of CUDA libraries.
PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu     "$root/venv/bin/python" -m pip install -c constraints.txt -e ".[test]"
"$root/venv/bin/python" -m grader --help > /dev/null
echo "setup.sh: grader installed with $("$root/venv/bin/python" --version)"
