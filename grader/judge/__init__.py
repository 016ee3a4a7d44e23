"""Judging one answer: parse, compare, follow-through, score; the time budget; symbolic equivalence."""
