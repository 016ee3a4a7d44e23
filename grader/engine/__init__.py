"""The reference engine: equations as a graph, each op's forward and backward side by side, exact and float backends, reverse-mode autodiff. Imports nothing of the program above it."""
