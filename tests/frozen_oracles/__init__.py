"""Frozen copies of modules that were rewritten for speed, kept as the reference the
differential tests of ``tests/judge/test_symbolic_speed.py`` compare the fast code with. Never edit
them to make a test pass: a difference is a change of behaviour of the grader."""
