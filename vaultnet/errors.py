"""Errors the core raises; the command line turns them into messages and exit codes."""

from __future__ import annotations


class VaultnetError(Exception):
    """A problem to show the user, optionally tied to a file and line of the vault."""

    exit_code = 1

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        return f"{where}{self.message}"


class ConfigError(VaultnetError):
    """The configuration file is missing a required shape or holds a bad value."""

    exit_code = 2


class UsageError(VaultnetError):
    """The command was asked for something that cannot be done as asked."""

    exit_code = 2


class OutputError(VaultnetError):
    """A generated page cannot be written safely (unmarked file in the way, path escape)."""

    exit_code = 1


class TemplateError(VaultnetError):
    """A template failed to load or render; names the template and line."""

    exit_code = 1
