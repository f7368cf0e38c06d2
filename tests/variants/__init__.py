"""Planted implementations: classic mistakes that the tests must catch, and correct alternatives
(another algebraic form, another valid use of the RNG, in place or not) that they must accept.

Each module here, named after its exercise, defines ``VARIANTS``. A variant's ``source`` is
appended to a copy of the reference module, so the functions it defines replace the reference's.
``tests/project/test_variants.py`` grades every variant in a subprocess with ``--impl``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Variant:
    name: str  # short id, e.g. "softmax-without-max-shift"
    source: str  # function definitions replacing the reference's
    expect: str  # "fail" (a mistake) or "pass" (a correct alternative)
    message: str = ""  # for "fail": a regex the failure output must contain (the teaching part)
    select: str = ""  # optional pytest -k expression, to run only the relevant tests

    def __post_init__(self) -> None:
        if self.expect not in ("fail", "pass"):
            raise ValueError(f"variant {self.name}: expect must be 'fail' or 'pass'")
        if self.expect == "fail" and not self.message:
            raise ValueError(
                f"variant {self.name}: a planted mistake needs the message it must produce"
            )
