"""Write-ups with Jacobians (issue 17 in derivations): each case a short write-up and the line,
status and flags of every step that does not hold or is not read (tests/corpora/test_writeups_corpus.py)."""
