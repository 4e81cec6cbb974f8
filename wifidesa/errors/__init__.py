"""Errors with a code and parameters, and their English templates (the gettext msgids)."""

from wifidesa.errors.base import (
    FIRST,
    LAST,
    AlreadyExists,
    ConfigError,
    InvalidInput,
    NotFound,
    RowsRejected,
    WifidesaError,
    error_message,
    line_problem,
    translate_error,
)
from wifidesa.errors.codes import ErrorCode
from wifidesa.errors.templates import TEMPLATES

__all__ = [
    "FIRST",
    "LAST",
    "TEMPLATES",
    "AlreadyExists",
    "ConfigError",
    "ErrorCode",
    "InvalidInput",
    "NotFound",
    "RowsRejected",
    "WifidesaError",
    "error_message",
    "line_problem",
    "translate_error",
]
