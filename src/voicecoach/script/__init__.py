"""Session scripts: the data model, the YAML loader with its JSON Schema, and the bundled
library of scripts (library/*.yaml).

May import: voicecoach.errors only.
"""
