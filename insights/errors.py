"""Errors raised by the insights package; all derive from :class:`geo.errors.HelpendeDataError`."""

from __future__ import annotations

from geo.errors import HelpendeDataError, InputFileError, UnknownAreaCode

__all__ = [
    "HelpendeDataError",
    "InputFileError",
    "UnknownAreaCode",
    "UnknownGemeente",
    "RulesError",
    "ReleaseError",
    "ReleaseNotFound",
    "UnprotectedOutput",
    "ForbiddenModelInput",
    "StewardPartMissing",
    "BuildInProgress",
]


class RulesError(HelpendeDataError):
    """The disclosure rules file is missing, malformed or inconsistent."""


class ReleaseError(HelpendeDataError):
    """A release cannot be written or read."""


class ReleaseNotFound(ReleaseError):
    """No release (or no ``current`` pointer) in the releases folder."""


class UnprotectedOutput(ReleaseError):
    """The release writer found a count that did not pass the disclosure rules; nothing was written."""


class ForbiddenModelInput(HelpendeDataError):
    """A variable about origin, ethnicity or nationality was offered as a model input."""


class StewardPartMissing(ReleaseError):
    """The release's steward part (``beheer/``) is not on this machine; its public part may be."""


class BuildInProgress(ReleaseError):
    """Another build holds the releases folder."""
class UnknownGemeente(UnknownAreaCode):
    """A ``--gemeente`` that names no gemeente (or several); the message says which code to use."""

    def __init__(self, text: str, hint: str) -> None:
        HelpendeDataError.__init__(self, f"unknown gemeente {text!r}: {hint}")
        self.code = text
