"""Intake of a class's submissions for the grader: find them, then copy out the exercise files.

``python -m grader grade SUBMISSIONS --out OUT`` starts here, one concern per module:
:mod:`.discovery`, :mod:`.unpack` (with :mod:`.archives`, :mod:`.folders`, :mod:`.notebooks`,
:mod:`.layout`, which hand the files they choose to :mod:`.acceptor`), :mod:`.signatures`;
:mod:`.model` holds what they share.

SUBMISSIONS holds one entry per student: a folder of exercise files (flat, or under
``exercises/``) or a ``.zip`` of one (flat, under ``exercises/``, or wrapped in one top-level
folder). :func:`discover` lists them and
:func:`unpack` copies one submission's exercise modules, flat, into a fresh directory that the
grader then runs the tests on (``--impl=DIR``).

A submission is untrusted data. This module lists, reads, parses (``ast.parse`` and
``compile``, which build code objects but run nothing) and copies bytes; it never imports or
executes anything a student wrote. The threats it addresses:

- Code running at intake: modules are parsed only, never imported or executed.
- Smuggled test configuration or code: only the files ``<exercise>.py`` named in the manifest
  are copied, flat; a submission's ``conftest.py``, ``pytest.ini``, ``setup.cfg``, ``*.pth``,
  ``tests/``, ``__init__.py``, other modules and data files never reach the grading directory.
- Path traversal ("zip slip"): archive entries are never extracted by their own names (no
  ``extractall``); entries with absolute paths, ``..``, drive letters, backslashes or control
  characters are skipped and reported, and every copy is written to ``destination/<name>.py``.
- Links to files that are not the student's own, such as the reference solutions: symbolic
  links (in archives, Unix mode ``S_IFLNK``; in folders, the file itself or the ``exercises``
  folder) are never followed or copied.
- Resource exhaustion (zip bombs, lying size headers, enormous archives): every read is bounded
  (1 MiB per module file, 16 MiB in all), at most 200 entries are considered, and an archive
  whose directory lists more than 10,000 entries or 4 MiB is refused before it is opened.
- Broken or hostile archives: a damaged, truncated, encrypted or non-zip file is a problem of
  that submission, never an exception that stops the grading of the whole class.
- One submission silently replacing another: of entries with the same student id (``ada/``
  and ``ada.zip``, or names differing only in case) one is graded, never silently: the first
  by name (byte order) of those that can be taken in; its result's message names every entry
  and the one graded, and the others are left out with a note
  (:func:`.discovery.one_per_student`).
- Stale files from an earlier run being graded: :func:`unpack` wants an empty destination.

Signature check (a decision): each public function of the stub ``exercises/<name>.py`` must be
defined by the student with a call-compatible signature: the stub's positional parameters with
the same names, in the same order and of a kind that accepts the same calls; its ``*args``,
``**kwargs`` and keyword-only parameters by name (in any order). Default *values* are ignored
(the tests judge behaviour), but a parameter that has a default in the stub must keep one, since
the tests may leave it out. Extra parameters are allowed when they have defaults; extra
functions, helpers and imports are allowed. A missing function or a differing signature is
reported for that exercise and the module is still copied (its other functions count); a module
that is not UTF-8 or does not compile is not copied, and its exercise is reported as that.

Jupyter notebooks (``.ipynb``) are accepted as well (see :mod:`grader.core.ipynb`, which parses
them as JSON and never runs them):

- In a folder or a zip, an exercise's notebook is ``<exercise>.ipynb`` or, as
  ``python -m grader notebooks`` names them, ``NN_<exercise>.ipynb`` (``01_activations.ipynb``),
  flat or under ``exercises/``, like the ``.py`` files. Where both ``activations.py`` and a
  notebook of activations exist, the ``.py`` file is graded and a note says so. A notebook whose
  metadata names another exercise (``metadata.exercise``) is reported, not graded.
- A single ``.ipynb`` file in SUBMISSIONS is one student's submission of one exercise: the
  student id is the file name without ``.ipynb`` and the exercise is the one its metadata names
  (a notebook without that metadata is reported, not graded).
- The module graded is the notebook's exercise cells (cells tagged ``exercise``; all code cells
  where none is tagged) joined in order, with IPython magics and shell lines commented out line
  for line; a cell that starts with a cell magic (``%%time``) is left out whole, and that is
  reported for the exercise. It then goes through the same compile and signature checks. A
  notebook may be up to 4 MiB (outputs included); an invalid one (not JSON, not a notebook,
  another nbformat version) is a problem of that exercise, with a message saying what to do.
"""
