"""Expression answers: one grammar for plain text and LaTeX into one tree."""
