"""What is kept on disk: session history, the settings file, speech models and the voice
profile.

May import: voicecoach.errors, voicecoach.config, voicecoach.script, the vocabulary of
voicecoach.session. Never audio, listening, player or the session engine.
"""
