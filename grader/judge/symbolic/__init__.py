"""Symbolic equivalence: an expression answer and the key evaluated on random instances of the network, and how close is the same."""
