"""The player's own voice in the microphone: the echo canceller and the talk-over
detector that feed the one own-voice decision (voicecoach.listening.own_voice)."""
