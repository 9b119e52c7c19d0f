"""CSV that a spreadsheet opens as text, never as formulas: every CSV the portal writes
goes through `writer`.

Excel, LibreOffice Calc and Google Sheets run a cell that starts with `=`, `+`, `-` or
`@` (or a tab, carriage return or line feed before one) as a formula, which can fetch
URLs with the sheet's content or start programs. Titles, summaries, sponsor names and
base acronyms are typed by sponsors and staff, so, as OWASP's "CSV Injection" page
recommends (https://owasp.org/www-community/attacks/CSV_Injection):

- a cell that starts with one of these characters gets a single quote before it, which
  the spreadsheet reads as "this is text" (the JSON export keeps the exact text);
- every cell is quoted and its double quotes doubled, so a separator (`,` or `;`) or a
  quote inside a value can never start a new cell whose first character would be
  dangerous.
"""

import csv
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(value: Any) -> str:
    """The cell's text, with a leading single quote if a spreadsheet would run it."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


class _Echo:
    """A file that hands back what is written: `writerow` returns the line, to stream."""

    def write(self, text: str) -> str:
        return text


class SafeWriter:
    def __init__(self, file: _Writable):
        self._writer = csv.writer(file, quoting=csv.QUOTE_ALL)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutralise(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(file: _Writable | None = None) -> SafeWriter:
    """A CSV writer that neutralises formulas; without a file, `writerow` returns the
    line it would write (for a streamed response)."""
    return SafeWriter(file if file is not None else _Echo())
