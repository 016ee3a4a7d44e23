"""The JSON Schemas of answer files, assignments, rubrics and public sheets (package data)."""
