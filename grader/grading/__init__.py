"""Grading a class: the intake of submissions (data, never run), the warm fork server, ``grade``
and ``autograde``. Imports :mod:`grader.sandbox` (by name, through pytest), :mod:`grader.results`
and :mod:`grader.core`."""
