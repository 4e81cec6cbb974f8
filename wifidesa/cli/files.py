"""Files the command line reads for an import."""

from __future__ import annotations

from pathlib import Path

from wifidesa.errors import ErrorCode, InvalidInput, NotFound


def read_csv_file(path: Path) -> str:
    """Text of a CSV file, accepting the UTF-8 BOM that spreadsheets write."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise NotFound(ErrorCode.NO_SUCH_FILE, path=path) from None
    except UnicodeDecodeError:
        raise InvalidInput(ErrorCode.NOT_UTF8, path=path) from None
    except OSError as exc:
        raise InvalidInput(ErrorCode.CANNOT_READ_FILE, path=path, reason=exc.strerror) from None
