"""CSV exports that Excel opens right and that cannot carry a formula (docs/operations.md#csv-exports).

The file is UTF-8 with a byte-order mark: without it, Excel on a Chinese-locale Windows reads
UTF-8 as the local code page and shows mojibake. A text cell that starts with `=`, `+`, `-`,
`@`, a tab or a carriage return is prefixed with a single quote, as OWASP's "CSV Injection"
page advises, so a task title such as `=HYPERLINK(…)` stays text. Rows are written as they come
from a server-side cursor, a chunk at a time, so a large export never sits in memory
(`csv_response`: the download every export route answers).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence

from flask import Response

from broadcaster.core.clock import isoformat
from broadcaster.web.shapes import logged_body
from broadcaster.web.state import app_state

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ROWS_PER_CHUNK = 500
STREAM_ROWS = 2000  # rows per round trip of an export's server-side cursor
TIME_COLUMNS = frozenset({"callback_last_attempt", "stats_fetched_at", "suspect_at", "created_at", "last_read_at"})
#: What each export route's OpenAPI answer says of its file.
CSV_NOTE = "UTF-8 带 BOM（Excel 可直接打开），中文表头，按筛选条件导出全部匹配的行"


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


def csv_response(filename: str, columns, sql: str, params: dict) -> Response:
    """Stream `sql`'s rows as a CSV download of `columns` ((header, key) pairs); filters were
    checked before the first byte."""
    header = [title for title, _ in columns]
    keys = [key for _, key in columns]
    rows = app_state().database.stream(sql, params, itersize=STREAM_ROWS)

    def cells(row: dict) -> list:
        return [_cell(row, key) for key in keys]

    response = Response(csv_chunks(header, rows, cells), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _cell(row: dict, key: str):
    if key in TIME_COLUMNS:
        return isoformat(row[key])
    if key == "payload":
        return logged_body(row)  # the bytes sent, exactly
    return row[key]
