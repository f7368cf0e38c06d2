"""Instructor only, left out of the student release and the Gradescope bundle as a folder: the
stub generator, the release, the Gradescope bundle, the throughput measurement, and their
templates. Imports :mod:`grader.grading` and :mod:`grader.core`; nothing imports it."""
