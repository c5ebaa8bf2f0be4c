"""Vectorised string building: strings as matrices of Unicode code points.

A numpy `<Uw` array is stored as w uint32 code points per row, with trailing NULs trimmed when read.
So a million names or ID numbers are built by filling an (n, w) uint32 matrix column by column and
viewing it as strings, with no Python loop per row.
"""

from __future__ import annotations

import numpy as np

ZERO = ord("0")
NOTHING = 0  # a NUL code point: trimmed when it ends a string


def chars(text: str) -> np.ndarray:
    """The code points of `text`, one per character."""
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).copy()


def constant(text: str, n: int) -> np.ndarray:
    """(n, len(text)) matrix repeating `text`."""
    return np.broadcast_to(chars(text), (n, len(text)))


def column(points: np.ndarray) -> np.ndarray:
    """(n, 1) matrix from one code point per row."""
    return np.asarray(points, dtype=np.uint32).reshape(-1, 1)


def digit_matrix(values: np.ndarray, width: int) -> np.ndarray:
    """(n, width) matrix of the decimal digits of non-negative ints, zero-padded on the left."""
    values = np.asarray(values, dtype=np.int64)
    if values.size and (values.min() < 0 or values.max() >= 10 ** width):
        raise ValueError(f"values do not fit in {width} digits")
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (values[:, None] // powers % 10).astype(np.uint32)


def digits(values: np.ndarray, width: int) -> np.ndarray:
    """Code-point matrix of zero-padded decimal numbers."""
    return digit_matrix(values, width) + ZERO


def strings(*parts: np.ndarray) -> np.ndarray:
    """Join code-point matrices side by side and read each row as one string."""
    matrix = np.ascontiguousarray(np.hstack([np.asarray(p, dtype=np.uint32) for p in parts]))
    return matrix.view(f"<U{matrix.shape[1]}").ravel()


def code_points(texts, width: int | None = None) -> np.ndarray:
    """(n, width) matrix of strings, NUL-padded on the right."""
    array = np.ascontiguousarray(np.asarray(texts, dtype=f"<U{width}" if width else str).reshape(-1))
    return array.view(np.uint32).reshape(len(array), array.dtype.itemsize // 4)
