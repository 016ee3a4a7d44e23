"""Backprop grader: grades neural-network backpropagation homework.

Pipeline (see :mod:`grader.batch.orchestrator`): read answer files → parse answers → compare with the
reference engine's key → score with the rubric → report.
"""
__version__ = "0.1.0"
