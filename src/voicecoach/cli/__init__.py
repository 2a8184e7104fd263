"""The `voicecoach` command line: one module per sub-command (main.COMMANDS), each with a
`register(subparsers)` and a run function. The top of the house: may import anything."""
