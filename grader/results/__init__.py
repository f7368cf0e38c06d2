"""Results of grading: the data model (:mod:`.model`), then one module per file format, all
registered in :mod:`.formats`. Pure functions of the model: nothing here runs student code.
Imports :mod:`grader.core` only."""
