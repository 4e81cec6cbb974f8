"""The `!trap` a simulated router answers when RouterOS would refuse a command."""

from __future__ import annotations


class Trap(Exception):
    """A `!trap` answer: the command failed, the connection goes on."""

    def __init__(self, message: str, category: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.category = category
