"""A write-up's derivation judged: each step of each chain checked on the assignment's random
instances (``steps``), what a wrong step looks like (``diagnosis``: one function, ``diagnose_step``),
which chains answer which question (``questions``), and the whole write-up (``writeup``)."""
