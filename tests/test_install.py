"""`lianhu dashboard` from a non-editable install (issue 11): the wheel carries the served notebook and the
Voilà template (lianhu_tools/app), and the command finds them there, run from a folder that is not the
project's. The packaged notebook keeps the code of notebooks/05_dashboard.ipynb, which planners open in
JupyterLab and nbval runs."""

from __future__ import annotations

import contextlib
import html
import json
import os
import shutil
import signal
import site
import subprocess
import sys
import sysconfig
import time
import urllib.request
from pathlib import Path

import pytest

from lianhu_tools.serve import default_store, free_port

ROOT = Path(__file__).resolve().parents[1]
PACKAGED = ROOT / "lianhu_tools" / "app" / "dashboard.ipynb"
PLANNERS = ROOT / "notebooks" / "05_dashboard.ipynb"


def cells(path: Path, kind: str = "code") -> list[dict]:
    return [c for c in json.loads(path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == kind]


def source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def test_packaged_dashboard_has_the_planners_code_and_no_outputs():
    assert [source(c) for c in cells(PACKAGED)] == [source(c) for c in cells(PLANNERS)]
    assert [source(c) for c in cells(PACKAGED, "markdown")] == [source(c) for c in cells(PLANNERS, "markdown")]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in cells(PACKAGED))
    assert "widgets" not in json.loads(PACKAGED.read_text(encoding="utf-8"))["metadata"]


def test_default_store_is_looked_for_in_the_current_folder_only(tmp_path, monkeypatch):
    monkeypatch.delenv("LIANHU_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    assert default_store() is None  # not the project's stores, wherever the package lies
    for store in ("build/demo/lianhu.sqlite", "data/lianhu.sqlite"):
        (tmp_path / store).parent.mkdir(parents=True)
        (tmp_path / store).touch()
        assert default_store() == str(tmp_path / store)  # the city's own store before the demo's
    monkeypatch.setenv("LIANHU_DB", "sqlite:///elsewhere.sqlite")
    assert default_store() == "sqlite:///elsewhere.sqlite"


def outside_env() -> dict[str, str]:
    """This environment without the source tree on PYTHONPATH, and with the Jupyter data (Voilà's base
    templates, the widgets' extension) of the venv running the tests, which the new venv's prefix lacks."""
    pythonpath = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep)
                  if p and not Path(p).resolve().is_relative_to(ROOT)]
    jupyter = [str(Path(sysconfig.get_paths()["data"]) / "share" / "jupyter")] + \
        [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LIANHU_DB", "LIANHU_POLICY")}
    env["JUPYTER_PATH"] = os.pathsep.join(jupyter)
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join(pythonpath)
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    """A new venv with lianhu_tools installed from a wheel built offline (no build isolation, no index); the
    packages of the venv running the tests behind it. Its python and the installed package's folder."""
    tmp = tmp_path_factory.mktemp("install")
    source_copy = tmp / "source"  # an in-tree build would leave build/ and *.egg-info in the project
    shutil.copytree(ROOT / "lianhu_tools", source_copy / "lianhu_tools", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source_copy)
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    env = outside_env()
    purelib = Path(subprocess.check_output([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                           env=env, text=True).strip())
    # --system-site-packages would show the base interpreter's packages, not those of the venv running the tests
    (purelib / "_lianhu_test_base.pth").write_text(
        f"import site; list(map(site.addsitedir, {site.getsitepackages()!r}))\n", encoding="utf-8")
    pip = subprocess.run([python, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index",
                          "--ignore-installed", str(source_copy)],  # -I: leave the tests' own lianhu-tools alone
                         env=env, cwd=tmp, capture_output=True, text=True)
    assert pip.returncode == 0, ("pip install failed (an offline wheel build needs setuptools>=70.1 here: "
                                 f"pip install -e '.[test]'):\n{pip.stdout[-2000:]}\n{pip.stderr[-3000:]}")
    found = subprocess.check_output([python, "-c", "import lianhu_tools; print(lianhu_tools.__file__)"],
                                    env=env, cwd=tmp, text=True).strip()
    package = Path(found).parent
    assert package == purelib / "lianhu_tools", f"imported {found}, not the installed copy"
    return python, package


def kernels(parent: int) -> dict[int, tuple[list[str], Path]]:
    """The command line and folder of each Jupyter kernel started by process `parent` (Linux's /proc)."""
    found = {}
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            command = (proc / "cmdline").read_bytes().decode().split("\0")
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if ppid == parent and "ipykernel_launcher" in command:
                found[int(proc.name)] = (command, (proc / "cwd").resolve())
        except (OSError, ValueError):
            continue
    return found


def settled(parent: int, seconds: float = 180) -> None:
    """Until the processes `parent` started used no CPU for 3 s (psutil), or `seconds` have passed."""
    import psutil

    def used() -> float:
        total = 0.0
        for child in psutil.Process(parent).children(recursive=True):
            with contextlib.suppress(psutil.Error):
                total += sum(child.cpu_times()[:2])
        return total

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        before = used()
        time.sleep(3)
        if used() - before < 0.1:
            return


def test_installed_lianhu_dashboard_serves_the_packaged_notebook(installed, tmp_path):
    from lianhu_tools.demo.pipeline import start_demo_year

    python, package = installed
    assert (package / "app" / "dashboard.ipynb").is_file()
    template = package / "app" / "voila" / "templates" / "lianhu"
    assert (template / "conf.json").is_file() and (template / "index.html.j2").is_file()
    assert (template / "503.html").is_file() and (package / "app" / "config" / "voila.py").is_file()  # busy page, hook
    db = start_demo_year("tiny", tmp_path / "year").folder / "lianhu.sqlite"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert not elsewhere.resolve().is_relative_to(ROOT)
    port = free_port()
    running = None
    log_path = tmp_path / "dashboard.log"
    with log_path.open("w") as log:
        server = subprocess.Popen([python.parent / "lianhu", "dashboard", "--db", str(db), "--port", str(port)],
                                  cwd=elsewhere, env=outside_env(), stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=90) as response:
                        status, page = response.status, html.unescape(response.read().decode())
                    break
                except OSError:
                    assert time.monotonic() < deadline and server.poll() is None, \
                        f"the dashboard did not start:\n{log_path.read_text()[-3000:]}"
                    time.sleep(0.5)
            running = kernels(server.pid) if Path("/proc").is_dir() else None
            settled(server.pid)  # the pages kept ready drawn, as on a server that runs: none stopped mid-cell
        finally:  # Voilà (the command execs it), which shuts down its kernel (in a session of its own)
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
            for pid, (command, _) in (running or {}).items():  # a kernel Voilà left behind
                with contextlib.suppress(OSError):
                    if (Path("/proc") / str(pid) / "cmdline").read_bytes().decode().split("\0") == command:
                        os.kill(pid, signal.SIGKILL)
    output = log_path.read_text()
    assert status == 200 and "Traceback" not in output, output[-3000:]
    assert "联村联户领导看板" in page and "application/vnd.jupyter.widget-view+json" in page  # title, widgets
    assert "数据来源 / data: 名册" in page  # the kernel read the store (board.describe())
    assert "Traceback" not in page and "error when executing" not in page
    assert "cdn.jsdelivr.net" not in page and "cdnjs" not in page  # the packaged template
    if running is not None:  # the kernel: the new venv's python, in the installed package's app folder
        assert running and all(command[0] == str(python) and cwd == (package / "app").resolve()
                               for command, cwd in running.values()), running
