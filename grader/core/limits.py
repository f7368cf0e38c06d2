"""An exercise's time limit when grading: what it measures, and what a student reads past it.

The limit (``grade --timeout``, ``pytest --exercise-timeout``) is a budget of seconds for the
student's code of one exercise, all together: the import of their module, every call the tests
make and the iteration of what a call returns, timed inside the sandbox around that code only.
The sandbox's start-up, the round trips and encoding of the data, the tests' own work (oracles,
assertions) and every other exercise never count against it, so a slow, loaded or cold machine
cannot time out correct code, and an exercise that has finished cannot time out later. One
call may use the whole budget: a hang is stopped by it and the exercise is timed out (the
per-call limit of :class:`grader.sandbox.limits.Limits` holds only where there is no budget).
The wall-clock bounds below hold even against a sandbox that misreports its time. Imports
nothing.
"""

from __future__ import annotations

DEFAULT_TIMEOUT = 120.0  # seconds of the student's own time per exercise (grade --timeout)
# A grading session's allowance beyond its exercises' budgets: start-up, the tests' own work.
SESSION_ALLOWANCE_SECONDS = 60.0
# The end of a crashed process's output (a test session, a command timed by `throughput`) kept
# for its message: where the error is, without flooding the message.
OUTPUT_TAIL_CHARS = 1500
FAULT_TAIL_CHARS = 300  # of that tail, in the message of a grader fault (what broke)


def time_limit_message(exercise: str, seconds: float) -> str:
    """The failure of an exercise whose calls ran out of time."""
    return f"the calls of your {exercise} code took more than {seconds:g} s in all (time limit)"


def session_limit_message(exercise: str, seconds: float) -> str:
    """The failure of an exercise whose whole test session had to be stopped."""
    return f"the tests of {exercise} did not finish in {seconds:g} s (the session was stopped)"


# What the sandbox reports is the student's time; the test process also bounds what it waits
# by the wall clock, which a sandbox cannot misreport: each call may take this much more than
# the budget left (the round trip, encoding the data) ...
CALL_GRACE_SECONDS = 10.0


def wall_allowance(seconds: float) -> float:
    """... and all the exercise's calls together this much, overheads included: far more than a
    loaded machine adds to correct code, so that only a hang (or a sandbox that lies about its
    time) reaches it."""
    return 10 * seconds + 60


def session_limit(timeout: float, exercises: int) -> float:
    """Seconds a whole grading session of ``exercises`` may take before it is killed: each
    exercise stops its own calls at ``timeout``; the rest (start-up, the tests' own work) gets a
    generous allowance, since only a broken test process, never a student's code, reaches it."""
    return (timeout + SESSION_ALLOWANCE_SECONDS) * exercises + SESSION_ALLOWANCE_SECONDS
