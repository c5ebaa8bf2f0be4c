"""JupyterHub's proxy, the npm package configurable-http-proxy, installed into the project from the pinned
package-lock.json shipped beside the hub's configuration (`npm ci`, on first `lianhu hub` or by `make hub-proxy`)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from ..errors import HubError

PINNED = Path(__file__).resolve().parents[1] / "app" / "hub" / "proxy"  # package.json and package-lock.json
DEFAULT_FOLDER = Path("build/hub-proxy")


def proxy_command(folder: Path = DEFAULT_FOLDER) -> Path:
    return Path(folder).resolve() / "node_modules" / ".bin" / "configurable-http-proxy"


def ensure_proxy(folder: Path = DEFAULT_FOLDER, say=print) -> Path:
    """configurable-http-proxy under `folder`, installed there first if it is not (or not the pinned version)."""
    folder = Path(folder).resolve()
    command = proxy_command(folder)
    lock = (PINNED / "package-lock.json").read_bytes()
    if command.exists() and (folder / "package-lock.json").is_file() and (folder / "package-lock.json").read_bytes() == lock:
        return command
    npm = shutil.which("npm")
    if npm is None:
        raise HubError(["JupyterHub 需要 Node.js 和 npm 来安装代理（apt-get install nodejs npm）/ JupyterHub's proxy needs "
                        "Node.js and npm (apt-get install nodejs npm)"])
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(PINNED / name, folder / name)
    say(f"安装 JupyterHub 的代理 configurable-http-proxy 到 {folder}（只需一次）/ installing JupyterHub's proxy "
        f"into {folder} (once)")
    done = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=folder,
                          capture_output=True, text=True)
    if done.returncode or not command.exists():
        (folder / "package-lock.json").unlink(missing_ok=True)  # tried again next time
        raise HubError([f"代理安装失败（npm ci，见下）/ the proxy could not be installed (npm ci):\n"
                        f"{(done.stderr or done.stdout).strip()[-2000:]}"])
    return command
