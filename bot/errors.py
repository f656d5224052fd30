"""Errors a user can cause and fix. The CLI prints them without a traceback."""


class FoibotError(Exception):
    """An operation failed (exit 1)."""

    exit_code = 1


class UsageError(FoibotError):
    """Bad usage, config or template (exit 2). The message names the file, key or line."""

    exit_code = 2


class ConfigError(UsageError):
    pass


class TemplateError(UsageError):
    pass


class Interrupted(Exception):  # noqa: N818 - reads as what happened, like KeyboardInterrupt
    """A stop was asked for (SIGTERM, SIGINT) and the work in hand was cut short.

    Deliberately not a FoibotError: code that records a FoibotError against one request
    and goes on with the next must let this one through, so the whole command ends.
    """
