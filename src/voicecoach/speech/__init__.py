"""Speech synthesis (pyttsx3 / espeak-ng) and its cache of synthesised sentences.

May import: voicecoach.errors, voicecoach.config, voicecoach.session.vocabulary (the words).
"""
