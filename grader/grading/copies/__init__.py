"""Which submissions were copied from each other (``python -m grader similarity``).

``sources`` reads every submission's exercise files through the grading intake (as data, never
run); ``compare`` reads each file's syntax tree as a canonical token stream (the names a student
chose, strings, docstrings, comments, layout and all that the stub gives left out),
fingerprints it as MOSS does and scores each pair; ``report`` ranks the pairs by score, groups
them by student, and writes the CSVs and the side-by-side HTML page (``report.html``, its
template).
"""
