"""Write-ups as students hand them in (Markdown, LaTeX, plain text, notebooks' Markdown cells):
read safely into chains of equations with their lines (``read_writeup``), what could not be read
kept with the reason. Text only: parsing an equation's sides is the judge's work."""
