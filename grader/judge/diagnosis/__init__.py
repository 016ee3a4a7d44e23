"""Diagnosis of a wrong answer by the smallest repair: single edits of the student's own tree
(a transpose added or removed, a term dropped or its sign flipped, a factor dropped, doubled or
halved, ⊙ ↔ matrix product, f ↔ f', z ↔ a, a symbol swapped for one of the same shape) that
make it equal to the key, reported in the student's notation and mapped to catalogue ids.
Imports keys and below, and the symbolic judge's public functions.
"""
