"""Which submissions were copied from each other (``python -m grader similarity``).

``sources`` reads every submission's exercise files through the grading intake (as data, never
run); ``compare`` fingerprints them with copydetect (winnowing, MOSS's method) and scores each
pair; ``report`` writes the CSV and the side-by-side HTML page (``report.html``, its template).
copydetect is an optional dependency (the ``similarity`` extra): only ``compare`` and
``report`` import it, lazily, through :func:`grader.grading.copies.compare.library`.
"""
