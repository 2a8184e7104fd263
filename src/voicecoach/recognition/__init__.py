"""Offline speech recognition of the phrase table: engines behind one small interface.

recognizer.py  the Recognizer protocol and Detection
kws_engine.py  sherpa-onnx keyword spotter (bpe_tokens.py spells the keywords)
vosk_engine.py Vosk in grammar mode
listener.py    CommandListener: audio blocks in, meanings out (the player's path)
factory.py     create_recognizer(settings, role) and available_engines(settings)
audio_files.py WAV reading and resampling to 16 kHz
eval_commands.py  accuracy and latency on a manifest of recorded clips

Heavy packages (sherpa_onnx, vosk) are imported only when an engine is built.
"""

from voicecoach.recognition.factory import available_engines, create_recognizer
from voicecoach.recognition.listener import CommandListener, HeardPhrase
from voicecoach.recognition.recognizer import SAMPLE_RATE, Detection, Recognizer

__all__ = [
    "SAMPLE_RATE",
    "CommandListener",
    "Detection",
    "HeardPhrase",
    "Recognizer",
    "available_engines",
    "create_recognizer",
]
