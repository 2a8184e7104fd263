"""Playing a session live: the real-time loop around the engine, voice and text input and
output, the screen, and the threads they need.

May import anything below it: session, script, config, audio, speech, listening, store.
"""
