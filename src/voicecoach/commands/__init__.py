"""One module per `voicecoach` sub-command.

Each module defines `register(subparsers) -> None`, which adds its parser and sets
`run=<function(args) -> int>` as a default. cli.py finds the modules here by name, so
adding a command means adding a module, nothing else.
"""
