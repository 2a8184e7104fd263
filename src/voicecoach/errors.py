"""The one error family. Each message says what is wrong and how to fix it.

`main()` catches VoiceCoachError once, prints the message to stderr and exits with
`exit_code`; nothing else in the package prints tracebacks for expected problems.
"""

from __future__ import annotations


class VoiceCoachError(Exception):
    """An expected problem the person can fix; the message says how."""

    exit_code = 1


class UsageError(VoiceCoachError):
    """Bad input on the command line or in a file: exit status 2."""

    exit_code = 2


class ScriptError(UsageError):
    """A session script failed to load; `problems` holds every FILE:LINE:COL line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class SettingsError(UsageError):
    """A settings value or file is invalid."""


class DeviceError(VoiceCoachError):
    """An audio device could not be opened or was lost."""


class ModelError(VoiceCoachError):
    """A speech model is missing, broken or could not be downloaded."""
