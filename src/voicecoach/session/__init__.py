"""The session core: pure, no clock, no I/O.

The engine (a state machine fed events, returning actions), the pain dialogue, the session
plan compiled from a script, events and actions, adaptation (easier/harder), the command
vocabulary, the start chooser and the preview on a virtual clock.

May import: voicecoach.errors, voicecoach.config, voicecoach.script. Never audio, speech,
listening, player, store, enrol, evaluation, report or cli (kept by import-linter).
"""
