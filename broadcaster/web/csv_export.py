"""CSV exports that Excel opens right and that cannot carry a formula (DESIGN §13).

The file is UTF-8 with a byte-order mark: without it, Excel on a Chinese-locale Windows reads
UTF-8 as the local code page and shows mojibake. A text cell that starts with `=`, `+`, `-`,
`@`, a tab or a carriage return is prefixed with a single quote, as OWASP's "CSV Injection"
page advises, so a task title such as `=HYPERLINK(…)` stays text. Rows are written as they come
from a server-side cursor, a chunk at a time, so a large export never sits in memory.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ROWS_PER_CHUNK = 500


def safe_cell(value: object) -> object:
    """A cell value that a spreadsheet shows as written: formula-like text gets a leading quote."""
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def csv_chunks(header: Sequence[str], rows: Iterable[dict], cells: Callable[[dict], Sequence[object]]) -> Iterator[str]:
    """The CSV text, byte-order mark first, in chunks of up to `ROWS_PER_CHUNK` rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    yield BOM + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    count = 0
    for row in rows:
        writer.writerow([safe_cell(value) for value in cells(row)])
        count += 1
        if count % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()
