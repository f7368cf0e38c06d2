"""The pytest plugin's name as pyproject.toml and the grader give it (``-p grader.plugin``): it
loads the plugin modules, each one feature.

pyproject.toml also turns off pytest's loading of every installed plugin
(``--disable-plugin-autoload``) and names the two the tests use (``-p hypothesispytest -p
benchmark``): an outcome must not depend on what else a machine has installed (pytest-randomly
would reorder the tests and reseed the RNGs), and pytest rewrites the asserts of every module of
an autoloaded plugin's distribution (Hypothesis's 75), which, where bytecode is not cached
(``PYTHONDONTWRITEBYTECODE``), took 3 s a run. Another plugin is there for the asking:
``pytest -p xdist``."""

pytest_plugins = ("grader.check.plugin", "grader.check.summary", "grader.sandbox.plugin")
