"""Input: safe YAML/JSON loading, schema validation, answer files and the folder walk, atomic writes of outputs."""
