"""The report's one error."""

from voicecoach.errors import VoiceCoachError


class ReportError(VoiceCoachError):
    """The report could not be made or written."""
