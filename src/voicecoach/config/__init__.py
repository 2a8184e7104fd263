"""Settings as frozen dataclasses, and the table of settings keys with their parsers
(data only: no files, no parsing of the command line).

May import: voicecoach.errors only. Reading and writing the settings file, and the
word-list keys (which need the vocabulary of voicecoach.session), are in voicecoach.store.
"""
