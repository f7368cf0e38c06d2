"""The pytest plugin's name as pyproject.toml, a release's tox.ini and the grader give it
(``-p grader.plugin``): it loads the plugin modules, each one feature."""

pytest_plugins = ("grader.check.plugin", "grader.check.summary", "grader.sandbox.plugin")
