"""Problems found in input files, the error that carries all of them, and the 问题清单 workbook."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

PROBLEM_COLUMNS = {
    "file": "文件",
    "sheet": "工作表",
    "row": "行号",
    "column": "列",
    "value": "值",
    "code": "问题代码",
    "severity": "级别",
    "message_zh": "问题说明",
    "message_en": "Problem (English)",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an input file, located as the planner sees it in Excel (header = row 1)."""

    file: str
    sheet: str | None
    row: int | None
    column: str | None  # the header as written in the file
    value: str | None
    code: str  # stable machine code, e.g. "duplicate_key"
    message_zh: str
    message_en: str
    severity: str = "error"  # "error" blocks loading; "warning" is reported only

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (Path(self.file).name, self.sheet, self.row) if p not in (None, ""))
        column = f" [{self.column}]" if self.column else ""
        value = f" “{self.value}”" if self.value not in (None, "") else ""
        return f"{where}{column}{value}: {self.message_zh} / {self.message_en} ({self.code})"

    def to_dict(self) -> dict:
        return asdict(self)


class RosterError(ValueError):
    """Input rejected; `problems` lists every problem found, errors and warnings."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        head = "\n".join(str(p) for p in errors[:20])
        more = f"\n… 另有 {len(errors) - 20} 个问题 / {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(f"发现 {len(errors)} 个问题，未载入任何数据 / {len(errors)} problems found, "
                         f"nothing loaded:\n{head}{more}")

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


class RosterWarning(UserWarning):
    """Something worth a look that does not stop loading (an ignored column, a skipped sheet)."""


def problems_frame(problems: list[Problem], chinese_headers: bool = True) -> pd.DataFrame:
    frame = pd.DataFrame([p.to_dict() for p in problems], columns=list(PROBLEM_COLUMNS))
    frame["row"] = frame["row"].astype("Int64")
    return frame.rename(columns=PROBLEM_COLUMNS) if chinese_headers else frame


def write_problem_workbook(problems: list[Problem], path: str | Path) -> Path:
    """Write the 问题清单 to send back to the offices: one sheet in all, one sheet per file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = problems_frame(problems)
    tmp = path.with_name(f".{path.name}.tmp")
    with pd.ExcelWriter(tmp, engine="xlsxwriter") as writer:
        frame.to_excel(writer, sheet_name="问题清单", index=False)
        sheet = writer.sheets["问题清单"]
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(frame), 1), len(frame.columns) - 1)
        for i, width in enumerate((28, 12, 8, 16, 24, 26, 8, 48, 60)):
            sheet.set_column(i, i, width)
    tmp.replace(path)
    return path
