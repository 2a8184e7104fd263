"""Settings as frozen dataclasses (data only: no files, no parsing of the command line).

May import: voicecoach.errors only. Reading and writing the settings file is in
voicecoach.store.
"""
