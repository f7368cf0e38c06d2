"""Jobs a student or instructor runs on an implementation, beside the tests: training the MLP on
real images (``train``, with the data sets and the IDX writer) and timing it (``bench``).
Import :mod:`grader.check` and :mod:`grader.core`."""
