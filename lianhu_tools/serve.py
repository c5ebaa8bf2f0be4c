"""The dashboard served to leaders: Voilà (code hidden, nothing loaded from the internet) on the notebook
and template shipped in the package (`app/`), as `lianhu dashboard` runs it, with the kernels of `kernels.py`:
a cap on live kernels (past it the busy page) and idle ones culled (`KernelLimits`)."""

from __future__ import annotations

import json
import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

APP = Path(__file__).resolve().parent / "app"  # also a Jupyter data folder: voila/templates/lianhu, no CDN links
CONFIG = APP / "config"  # voila.py: Voilà's configuration beyond its command line
NOTEBOOK = APP / "dashboard.ipynb"  # notebooks/05_dashboard.ipynb has the same code cells, for JupyterLab
STORES = ("data/lianhu.sqlite", "build/demo/lianhu.sqlite")  # the city's own store first, then `make demo`'s


@dataclass(frozen=True)
class KernelLimits:
    """How many dashboard kernels may be alive (one per page view; ~200 MiB each on the demo city), and after
    how many idle seconds one is culled: with no page connected (a load abandoned, a tab closed), or with a page
    connected but unused. Checked every `interval_seconds`: an abandoned kernel goes within
    `abandoned_seconds + interval_seconds` of its last use. `ready`: kernels kept with the page already drawn
    (Voilà's preheated pool), so that a visitor's page comes at once; they count against `max_kernels`, and are
    drawn again when the store has changed (checked every `interval_seconds`)."""

    max_kernels: int = 40  # 2 cores, 24 GB: forty city kernels take ~8 GB
    abandoned_seconds: int = 60
    connected_seconds: int = 3600  # a leader reading with the tab open keeps the page for an hour unused
    interval_seconds: int = 30
    ready: int = 4  # a meeting of 30 leaders opening the page at once wants --ready 30

    def voila_options(self) -> list[str]:
        """Voilà's command-line options for these limits."""
        return [f"--Voila.config_file_paths={CONFIG}",
                "--VoilaConfiguration.multi_kernel_manager_class=lianhu_tools.kernels.DashboardKernels",
                "--Voila.kernel_websocket_connection_class=lianhu_tools.kernels.DashboardConnection",
                "--AsyncKernelManager.client_class=lianhu_tools.kernels.DashboardKernelClient",
                f"--DashboardKernels.max_kernels={self.max_kernels}",
                f"--DashboardKernels.cull_idle_timeout={self.abandoned_seconds}",
                f"--DashboardKernels.cull_connected_timeout={self.connected_seconds}",
                f"--DashboardKernels.cull_interval={self.interval_seconds}"] + (
            ["--preheat_kernel=True", f"--pool_size={self.ready}"] if self.ready else [])


def default_store() -> str | None:
    """LIANHU_DB if set, else the first of STORES that exists in the current folder, else None."""
    if os.environ.get("LIANHU_DB"):
        return os.environ["LIANHU_DB"]
    return next((str(p.resolve()) for p in map(Path, STORES) if p.exists()), None)


def voila(db: str | None, port: int, ip: str = "127.0.0.1", policy_file: str | None = None,
          limits: KernelLimits | None = KernelLimits()) -> tuple[list[str], dict[str, str]]:
    """The Voilà command line and environment serving the dashboard on store `db` (a demo city when None);
    `limits` None: Voilà's own kernels (no cap, never culled), for comparison only."""
    if db and "://" not in db:
        db = str(Path(db).resolve())  # the kernel runs in the notebook's folder
    paths = [str(APP)] + [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p]
    env = os.environ | {"JUPYTER_PATH": os.pathsep.join(paths), "LIANHU_DB": db or "",
                        "LIANHU_POLICY": str(Path(policy_file).resolve()) if policy_file else ""}
    return [sys.executable, "-m", "voila", str(NOTEBOOK), "--template=lianhu", "--no-browser", f"--port={port}",
            f"--Voila.ip={ip}", "--Voila.port_retries=0",  # the port asked for, or none: never another, unannounced
            "--VoilaConfiguration.allow_template_override=NO",  # not ?template= from a visitor
            "--VoilaConfiguration.allow_theme_override=NO"] + (limits.voila_options() if limits else []), env


def without_password(db: str | None) -> str | None:
    """`db` as a server may pass it to its kernels; one with a password in it is refused (UsageError)."""
    problem = password_in_url(db or "")
    if problem:
        from .errors import UsageError

        raise UsageError(problem)
    return db


def password_in_url(url: str) -> str | None:
    """Why a store URL that carries a password (user:password@ or ?password=) cannot be handed to a server, its
    password not shown; None when it carries none. The driver reads the password from a password file instead."""
    if "://" not in url:
        return None
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from .errors import masked

    try:
        parsed = make_url(url)
    except ArgumentError:
        return f"数据库地址写法不对 / not a store URL: {masked(url)}"
    if parsed.password is None and not any(key.lower() == "password" for key in parsed.query):
        return None
    shown = parsed.set(query={k: v for k, v in parsed.query.items() if k.lower() != "password"}).render_as_string()
    return (f"数据库地址中含有密码（密码不能出现在环境变量、命令行和日志里）：把密码写进密码文件（~/.pgpass，权限 0600，一行"
            f" 主机:端口:数据库:用户:密码；或用 PGPASSFILE、lianhu hub --pgpassfile 指定），地址中去掉密码 / the store URL "
            f"contains a password, which must not be in an environment, a command line or a log: put it in a password "
            f"file (~/.pgpass, mode 0600, a line host:port:database:user:password; or name one with PGPASSFILE or "
            f"lianhu hub --pgpassfile) and leave it out of the URL: {shown}")


def chinese_jupyterlab() -> Path:
    """JupyterLab's interface in Simplified Chinese for this environment (`lianhu lab`, the hub's servers): the
    locale set in its settings overrides (the language pack is in the notebook extra)."""
    settings = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    overrides = json.loads(settings.read_text(encoding="utf-8")) if settings.exists() else {}
    overrides.setdefault("@jupyterlab/translation-extension:plugin", {})["locale"] = "zh_CN"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps(overrides, ensure_ascii=False, indent=1), encoding="utf-8")
    return settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
