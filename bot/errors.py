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
