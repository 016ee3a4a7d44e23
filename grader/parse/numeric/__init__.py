"""Numeric answers: numbers and matrices as students type them (Python, MATLAB, LaTeX), never eval'd."""
