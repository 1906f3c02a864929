"""Domain errors shared by every package of helpende-data.

Each edge translates these: the CLI prints the message and exits 1, the API maps classes to
status codes in one table (``api/errors.py``). Statistics raise them without knowing about HTTP.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "HelpendeDataError",
    "InputFileError",
    "UnknownAreaCode",
    "BoundaryError",
]


class HelpendeDataError(Exception):
    """Base class: a problem a user can act on, with a message that says what and where."""


class InputFileError(HelpendeDataError):
    """A problem in an input file, located by file, row and column.

    ``row`` is the 1-based line number in the file as an editor shows it (the header is line 1);
    ``None`` when the problem concerns the file or a column as a whole.
    """

    def __init__(self, path: Path | str, problem: str, *, row: int | None = None, column: str | None = None) -> None:
        path = Path(path)
        where = [path.name]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {problem}")
        self.path, self.row, self.column, self.problem = path, row, column, problem


class UnknownAreaCode(HelpendeDataError):
    """A CBS area code that is not in the boundaries or hierarchy in use."""

    def __init__(self, code: str, context: str = "") -> None:
        super().__init__(f"unknown area code {code!r}" + (f" ({context})" if context else ""))
        self.code = code


class BoundaryError(HelpendeDataError):
    """Boundaries that cannot be read or lack the columns a level needs."""
