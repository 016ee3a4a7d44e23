"""What the instructor writes: assignments, rubrics, the misconception catalogue, draws, the public sheet and its schemas."""
