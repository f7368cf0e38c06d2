"""What a student's own ``pytest`` run loads: the implementation under test, the forbidden
routines, the timing of a key function, and the pytest plugin with its summary table. Imports
:mod:`grader.core` only."""
