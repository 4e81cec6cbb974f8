"""Files the command line reads for an import."""

from __future__ import annotations

from pathlib import Path

from wifidesa.errors import InvalidInput, NotFound


def read_csv_file(path: Path) -> str:
    """Text of a CSV file, accepting the UTF-8 BOM that spreadsheets write."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise NotFound(f"no such file: {path}") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{path}: not UTF-8 text; save the CSV as UTF-8") from None
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read ({exc.strerror})") from None
