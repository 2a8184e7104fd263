"""Measuring recognition: eval-commands (recordings through the listener) and eval-self (the
player's own speech through a simulated room)."""
