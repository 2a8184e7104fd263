"""The sound hardware boundary: devices, microphone, speaker (with failover), WAV files,
level helpers, and echo/ (the echo canceller and the talk-over detector).

May import: voicecoach.errors, voicecoach.config. Never the session engine, listening,
player or store.
"""
