"""The only code that runs untrusted code out of process: the limits, the plain-data codec,
the server inside the sandbox, the client the tests call, and the pytest plugin (``--sandbox``).
Imports :mod:`grader.check` and :mod:`grader.core`; nothing here is imported by them."""
