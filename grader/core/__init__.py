"""Leaf modules that every layer shares: paths, the manifest, outcomes, devices, gating, time
limits, text and file helpers, the instructions and the notebook format. Nothing here imports
any other part of grader (tests/project/test_layout.py checks it)."""
