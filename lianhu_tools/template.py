"""The blank Excel template the organisation department sends to offices, generated from `schema`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .schema import NO_WORDS, TABLES, YES_WORDS, field_rows
from .tables import excel_writer

TEMPLATE_ROWS = 5000  # rows that carry drop-downs and text formatting
TEXT_KINDS = ("code", "id", "id_number", "phone")


def write_template(path: str | Path) -> Path:
    """A workbook with a 填写说明 sheet and one sheet per roster: headers, notes, drop-downs, text columns."""
    with excel_writer(path) as writer:
        book = writer.book
        bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        required = book.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1})
        text = book.add_format({"num_format": "@"})
        _write_instructions(writer, bold)
        for table in TABLES.values():
            sheet = book.add_worksheet(table.zh)
            sheet.freeze_panes(1, 0)
            for col, f in enumerate(table.fields):
                sheet.write_string(0, col, f.zh, required if f.required else bold)
                note = f"{f.description}\n{'必填' if f.required else '选填'}" + (f"；单位：{f.unit}" if f.unit else "")
                sheet.write_comment(0, col, note, {"x_scale": 2, "y_scale": 1.5})
                sheet.set_column(col, col, 20 if f.kind in TEXT_KINDS else 14, text if f.kind in TEXT_KINDS else None)
                choices = list(f.allowed) if f.allowed else [YES_WORDS[0], NO_WORDS[0]] if f.kind == "bool" else None
                if choices:
                    sheet.data_validation(1, col, TEMPLATE_ROWS, col, {
                        "validate": "list", "source": choices, "error_type": "warning",
                        "input_title": f.zh, "input_message": "请从下拉列表选择"})
    return Path(path)


def _write_instructions(writer: pd.ExcelWriter, bold) -> None:
    rows = [{"名册 roster": f"{t.zh}（{name}）", **row} for name, t in TABLES.items() for row in field_rows(name)]
    frame = pd.DataFrame(rows)
    frame.to_excel(writer, sheet_name="填写说明", index=False, startrow=3)
    sheet = writer.sheets["填写说明"]
    sheet.write_string(0, 0, "联村联户名册模板 / lianhu roster template", bold)
    sheet.write_string(1, 0, "橙色表头为必填列。代码、编号、身份证号、电话请保持文本格式，切勿改为数字（Excel会截断身份证号）。"
                             " Orange headers are required; keep codes and ID numbers as text.")
    for col, width in enumerate((16, 14, 14, 24, 10, 18, 10, 36, 70)):
        sheet.set_column(col, col, width)
