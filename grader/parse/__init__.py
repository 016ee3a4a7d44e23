"""Reading what students type, never eval'd: numbers and matrices (:mod:`grader.parse.numeric`) and expressions (:mod:`grader.parse.expression`). Imports nothing of the program above it."""
