"""The dashboard served to leaders: Voilà (code hidden, nothing loaded from the internet) on the notebook
and template shipped in the package (`app/`), as `lianhu dashboard` runs it."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

APP = Path(__file__).resolve().parent / "app"  # also a Jupyter data folder: voila/templates/lianhu, no CDN links
NOTEBOOK = APP / "dashboard.ipynb"  # notebooks/05_dashboard.ipynb has the same code cells, for JupyterLab
STORES = ("data/lianhu.sqlite", "build/demo/lianhu.sqlite")  # the city's own store first, then `make demo`'s


def default_store() -> str | None:
    """LIANHU_DB if set, else the first of STORES that exists in the current folder, else None."""
    if os.environ.get("LIANHU_DB"):
        return os.environ["LIANHU_DB"]
    return next((str(p.resolve()) for p in map(Path, STORES) if p.exists()), None)


def voila(db: str | None, port: int, ip: str = "127.0.0.1", policy_file: str | None = None) -> tuple[list[str], dict[str, str]]:
    """The Voilà command line and environment serving the dashboard on store `db` (a demo city when None)."""
    if db and "://" not in db:
        db = str(Path(db).resolve())  # the kernel runs in the notebook's folder
    paths = [str(APP)] + [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p]
    env = os.environ | {"JUPYTER_PATH": os.pathsep.join(paths), "LIANHU_DB": db or "",
                        "LIANHU_POLICY": str(Path(policy_file).resolve()) if policy_file else ""}
    return [sys.executable, "-m", "voila", str(NOTEBOOK), "--template=lianhu", "--no-browser", f"--port={port}",
            f"--Voila.ip={ip}"], env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
