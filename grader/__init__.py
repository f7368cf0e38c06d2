"""Tooling around the exercises: the manifest, loading an implementation, the pytest plugin,
the stub generator and the student's self-check. Trusted code: it never imports student code
except through :mod:`grader.check.implementation`."""
