"""Hearing commands: the recogniser interface, the keyword-spotter and Vosk adapters, the
listener that turns what a recogniser reports into a meaning, and the own-voice decision.

May import: voicecoach.errors, voicecoach.config, voicecoach.audio, voicecoach.store (models,
voice profile) and the vocabulary of voicecoach.session. Never the session engine or player.
"""
