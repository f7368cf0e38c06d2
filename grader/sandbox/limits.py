"""The limits of one sandbox process, in one place: the per-call wall clock, its start-up, its CPU
time, memory and output. (The exercise's time budget, which the tests charge call by call, is
:mod:`grader.core.limits`.) Imports nothing of grader.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    call_seconds: float = 60.0  # wall clock, per call, where the exercise has no time budget
    start_seconds: float = 300.0  # the sandbox's own start-up (never the student's time)
    cpu_seconds: int = 300  # CPU time of the whole sandbox
    memory_bytes: int = 4 << 30  # data segment (heap and anonymous mappings)
    output_bytes: int = 1 << 20  # what it may write to its output file


DEFAULT_LIMITS = Limits()

# What a sandbox's messages may carry back: an error's description (the student chooses its
# text: a bounded report, never the test process's memory), and the reason it could not start.
ERROR_TEXT_CHARS = 20_000
START_FAILURE_CHARS = 2_000
