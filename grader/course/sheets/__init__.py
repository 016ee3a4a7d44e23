"""The public sheets of the sample assignments (written by ``grade publish``; a test keeps them
equal to what it writes now). The package ships these, never an assignment file or a rubric."""
