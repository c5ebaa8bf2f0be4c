"""Tables as offices send them: files read into grids (`files`), each sheet recognised as a declared table
(`recognise`), parsed field by field (`parse`), its rows located for problems (`parts`), and written back
as offices type them (`write`). Rosters, diaries and plans are all read through `read_tables`."""

from .files import Grid, UnreadableFile, decode_bytes, discover_files, read_grids
from .parse import parse_part
from .parts import DTYPES, Part, Report, check_duplicates, combine, empty_frame, final_frame, locate, raw_text
from .read import read_tables, validate_frame
from .write import (FORMULA_STARTS, ROSTER_FILE_NAMES, atomic_write, csv_safe, display_frame, excel_writer, write_problem_workbook,
                    write_frame, write_rosters, write_table, write_workbook)

__all__ = [
    "DTYPES", "FORMULA_STARTS", "Grid", "Part", "ROSTER_FILE_NAMES", "Report", "UnreadableFile", "atomic_write", "check_duplicates", "combine",
    "csv_safe", "decode_bytes", "discover_files", "display_frame", "empty_frame", "excel_writer", "final_frame", "locate", "parse_part", "raw_text",
    "read_grids", "read_tables", "validate_frame", "write_frame", "write_problem_workbook", "write_rosters", "write_table", "write_workbook",
]
