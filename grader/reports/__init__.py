"""What a run writes: the terminal table, gradebooks of every format, JSON, HTML, feedback, handouts."""
