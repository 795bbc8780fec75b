"""Writing XLSX: one sheet streamed to a file (XlsxWriter, constant memory), the way every
download of Tsudoi lays it out: a bold header row that stays in view with a filter on it,
column widths, text neutralised so that no cell starts a formula, dates with an Excel number
format. Reading XLSX (imports, KPI target lists) is openpyxl's (app.domain.imports).

    sheet = XlsxSheet(stream, title, headers, widths)
    sheet.append(["令和3年度", date(2021, 5, 12), "DXセミナー", 25])
    sheet.close()
"""
from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, BinaryIO

import xlsxwriter

from app.domain import spreadsheet

DATE_FORMAT = "yyyy/mm/dd"


class Text(str):
    """A value kept as text in the cell (digits with their leading zeros, 法人番号, phone numbers)."""


class XlsxSheet:
    def __init__(self, stream: BinaryIO, title: str, headers: list[str], widths: list[float], *,
                 datetime_format: str = spreadsheet.DATETIME_FORMAT) -> None:
        # constant_memory: each row is written out when the next one starts (rows go in order).
        self.book = xlsxwriter.Workbook(stream, {"constant_memory": True})
        self.sheet = self.book.add_worksheet(title[:31])
        self._formats: dict[str, Any] = {}
        self._datetime = self._format(datetime_format)
        self._date = self._format(DATE_FORMAT)
        self._text = self._format(spreadsheet.TEXT_FORMAT)
        for i, width in enumerate(widths):
            self.sheet.set_column(i, i, width)
        self.columns = len(headers)
        self.sheet.freeze_panes(1, 0)
        bold = self.book.add_format({"bold": True})
        for i, h in enumerate(headers):
            self.sheet.write_string(0, i, spreadsheet.neutralise(str(h)), bold)
        self.rows = 0

    def _format(self, number_format: str):
        if number_format not in self._formats:
            self._formats[number_format] = self.book.add_format({"num_format": number_format})
        return self._formats[number_format]

    def append(self, values) -> None:
        """One row: str as neutralised text, numbers as numbers, dates and (naive, local) datetimes
        with the sheet's formats, `Text` as a text cell, None blank."""
        self.rows += 1
        write, r = self.sheet, self.rows
        for c, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, Text):
                write.write_string(r, c, spreadsheet.neutralise(str(value)), self._text)
            elif isinstance(value, str):
                write.write_string(r, c, spreadsheet.neutralise(value))
            elif isinstance(value, bool):
                write.write_boolean(r, c, value)
            elif isinstance(value, int | float):
                write.write_number(r, c, value)
            elif isinstance(value, datetime):
                write.write_datetime(r, c, value.replace(tzinfo=None), self._datetime)
            elif isinstance(value, date):
                write.write_datetime(r, c, datetime.combine(value, time()), self._date)
            else:
                write.write_string(r, c, spreadsheet.neutralise(str(value)))

    def close(self) -> None:
        if self.columns:
            self.sheet.autofilter(0, 0, self.rows, self.columns - 1)
        self.book.close()
