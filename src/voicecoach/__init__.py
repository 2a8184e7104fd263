"""voicecoach: a hands-free, offline, voice-guided exercise session player."""

__version__ = "0.1.0"
