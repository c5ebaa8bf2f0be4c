"""The workbench served with logins (`lianhu hub`): a real JupyterHub on localhost with NativeAuthenticator, its
proxy from npm and the idle culler, on a tiny demo city's year. Accounts are made with `lianhu hub add-user`;
headless Chromium (tests/browser.py) logs in. Anonymous visitors are sent to the login page; a leader sees the
dashboard drawn and nothing else — not a planner's server, not JupyterLab or a notebook or the files on their own
server, and no code sent from the page runs; a planner gets JupyterLab in Chinese on the notebooks; a store URL
with a password is refused; no password is in the hub's log or a server's environment. Skipped where there is no
Chromium, except in CI (LIANHU_REQUIRE_BROWSER=1): those that drive the hub (the accounts and the refusals do not
need a browser and always run)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
import requests

from browser import browser, chromium, stop, wait_for_dashboard
from lianhu_tools.serve import free_port

needs_browser = pytest.mark.skipif(chromium() is None and not os.environ.get("LIANHU_REQUIRE_BROWSER"),
                                   reason="no Chromium here (apt-get install chromium fonts-noto-cjk)")
ROOT = Path(__file__).resolve().parents[1]
LIANHU = [sys.executable, "-m", "lianhu_tools.cli"]
PASSWORDS = {"admin": "Admin-Desk-2025", "lin": "Leader-Lin-8841", "pat": "Planner-Pat-3310"}
ROLES = {"admin": None, "lin": "leader", "pat": "planner"}


@dataclass
class Hub:
    url: str
    data: Path
    log_file: Path
    process: subprocess.Popen
    store: str

    def log(self) -> str:
        return self.log_file.read_text(encoding="utf-8", errors="replace")

    def servers(self) -> dict[str, psutil.Process]:
        """The single-user servers running, by their user (LIANHU_USER in their environment)."""
        found = {}
        for child in psutil.Process(self.process.pid).children(recursive=True):
            try:
                if "jupyterhub.singleuser" in " ".join(child.cmdline()):
                    found[child.environ().get("LIANHU_USER")] = child
            except psutil.NoSuchProcess:
                pass
        return found


def add_user(data: Path, name: str, *options: str, password: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(LIANHU + ["hub", "add-user", name, "--data", str(data), *options]
                          + (["--password-stdin"] if password is not None else []),
                          input=(password or "") + "\n", capture_output=True, text=True, cwd=ROOT)


@contextmanager
def serving(data: Path, db: str, *options: str):
    """`lianhu hub` on the store `db`, once it answers; stopped, with every server it started, afterwards."""
    log_file = data.parent / "hub.log"
    port = free_port()
    with open(log_file, "wb") as log:
        process = subprocess.Popen(LIANHU + ["hub", "--db", db, "--data", str(data), "--port", str(port),
                                             "--idle-timeout", "600", *options],
                                   cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    served = Hub(f"http://127.0.0.1:{port}/", data, log_file, process, db)
    try:
        deadline = time.monotonic() + 180  # the proxy is installed from npm on the first run
        while True:
            assert process.poll() is None and time.monotonic() < deadline, f"the hub did not start:\n{served.log()[-4000:]}"
            try:
                if requests.get(served.url + "hub/api/", timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.5)
        yield served
    finally:  # the hub stops its servers, the proxy and the culler; servers it left, killed
        stop(process, list(served.servers().values()), seconds=60)


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    from lianhu_tools.demo.pipeline import start_demo_year

    year = start_demo_year("tiny", tmp_path_factory.mktemp("year"), assess=("2025H1", "2025"))
    data = tmp_path_factory.mktemp("hub") / "hub"
    for name, role in ROLES.items():
        made = add_user(data, name, *(["--role", role] if role else ["--admin"]), password=PASSWORDS[name])
        assert made.returncode == 0, made.stderr
        assert PASSWORDS[name] not in made.stdout + made.stderr
    with serving(data, str(year.folder / "lianhu.sqlite")) as served:
        yield served


@pytest.fixture(scope="module")
def chrome():
    with browser() as instance:
        yield instance


def logged_in(chrome, hub: Hub, name: str, password: str | None = None):
    """A browser window of its own, logged in as `name` on the hub's login page."""
    context = chrome.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1900})
    page = context.new_page()
    page.goto(hub.url + "hub/login")
    page.fill("#username_input", name)
    page.fill("#password_input", password or PASSWORDS[name])
    page.click("#login_submit")
    return context, page


@needs_browser
def test_anonymous_requests_are_sent_to_the_login_page(hub):
    for path in ("", "hub/home", "hub/spawn", "user/lin/", "user/lin/voila/render/dashboard.ipynb", "user/pat/lab",
                 "hub/admin"):
        answer = requests.get(hub.url + path, timeout=30)
        assert answer.status_code == 200 and answer.url.startswith(hub.url + "hub/login"), (path, answer.url)
        assert 'id="password_input"' in answer.text
    assert requests.get(hub.url + "hub/api/users", timeout=30).status_code == 403
    visitor = requests.Session()
    visitor.get(hub.url + "hub/login", timeout=30)
    wrong = visitor.post(hub.url + "hub/login", data={"username": "lin", "password": "not-the-password",
                                                      "_xsrf": visitor.cookies.get("_xsrf")}, timeout=30)
    assert 'id="password_input"' in wrong.text and not hub.servers()


@needs_browser
def test_a_planner_gets_jupyterlab_in_chinese_on_the_notebooks(hub, chrome):
    context, page = logged_in(chrome, hub, "pat")
    try:
        page.wait_for_url(f"{hub.url}user/pat/lab**", timeout=180_000)
        listing = page.locator(".jp-DirListing-item", has_text="01_rosters.ipynb")
        listing.wait_for(timeout=120_000)
        assert page.locator(".lm-MenuBar-itemLabel", has_text="文件").count()  # JupyterLab in Chinese
        names = set(page.locator(".jp-DirListing-itemName").all_inner_texts())
        assert {p.name for p in (ROOT / "notebooks").glob("*.ipynb")} <= names
    finally:
        context.close()
    env = hub.servers()["pat"].environ()
    assert (env["LIANHU_USER"], env["LIANHU_ROLE"], env["LIANHU_DB"]) == ("pat", "planner", str(hub.store))


@needs_browser
def test_a_leader_sees_the_dashboard_and_cannot_run_code_from_the_page(hub, chrome):
    context, page = logged_in(chrome, hub, "lin")
    try:
        page.wait_for_url(f"{hub.url}user/lin/voila/render/dashboard.ipynb**", timeout=180_000)
        try:
            wait_for_dashboard(page, timeout=120, served=hub)
        except AssertionError as first:  # seen once in a full run, not alone: a leader reloads; said, and still open
            print(f"the leader's first load was not drawn; reloading once\n{first}")
            page.reload()
            wait_for_dashboard(page, timeout=180, served=hub)
        assert page.locator("h1", has_text="联村联户领导看板").count() and page.locator("text=干部排名前10").count()

        marker = hub.data.parent / "code-from-the-page-ran"
        page.evaluate(SEND_CODE, f"open({str(marker)!r}, 'w').close()")
        time.sleep(2)
        assert not marker.exists()
        assert 'Received message of type "execute_request", which is not allowed' in hub.log()
    finally:
        context.close()
    env = hub.servers()["lin"].environ()
    assert (env["LIANHU_USER"], env["LIANHU_ROLE"], env["LIANHU_DB"]) == ("lin", "leader", str(hub.store))


SEND_CODE = """async (code) => {
    const config = JSON.parse(document.getElementById('jupyter-config-data').textContent);
    const socket = new WebSocket(`ws://${location.host}${config.baseUrl}api/kernels/${config.kernelId}/channels`);
    await new Promise((opened, failed) => { socket.onopen = opened; socket.onerror = failed; });
    const header = {msg_id: 'from-the-page', msg_type: 'execute_request', username: 'lin', session: 'page',
                    version: '5.3', date: new Date().toISOString()};
    socket.send(JSON.stringify({channel: 'shell', header, parent_header: {}, metadata: {}, buffers: [],
                                content: {code, silent: false, store_history: false, user_expressions: {},
                                          allow_stdin: false, stop_on_error: true}}));
    await new Promise(done => setTimeout(done, 1000));
    socket.close();
}"""


@needs_browser
def test_a_leader_reaches_neither_a_planners_server_nor_notebooks_or_files_on_their_own(hub, chrome):
    assert {"lin", "pat"} <= set(hub.servers())  # both servers running: the hub's scopes, not a missing server
    context, page = logged_in(chrome, hub, "lin")
    try:
        page.wait_for_url(f"{hub.url}user/lin/**", timeout=180_000)
        refused = {}
        for method, path in [("GET", "user/pat/lab"), ("GET", "user/pat/api/contents"), ("GET", "user/pat/"),
                             ("GET", "user/lin/lab"), ("GET", "user/lin/tree"), ("GET", "user/lin/api/contents"),
                             ("GET", "user/lin/files/dashboard.ipynb"), ("GET", "user/lin/api/sessions"),
                             ("GET", "user/lin/api/terminals"), ("POST", "user/lin/api/kernels"),
                             ("GET", "user/lin/voila/render/01_rosters.ipynb"), ("GET", "user/lin/edit/dashboard.ipynb"),
                             ("GET", "user/lin/voila/templates/"), ("GET", "user/lin/voila/templates/lianhu/x"),
                             ("GET", "hub/admin")]:
            answer = context.request.fetch(hub.url + path, method=method, max_redirects=10)
            refused[path] = answer.status
        assert all(status in (403, 404) for status in refused.values()), refused
        folder = context.request.get(hub.url + "user/lin/voila/api/contents/").json()  # what Voilà's tree lists
        assert [item["name"] for item in folder["content"]] == ["dashboard.ipynb"]  # the dashboard alone
    finally:
        context.close()


@needs_browser
def test_the_admin_has_no_server_but_the_admin_page(hub, chrome):
    context, page = logged_in(chrome, hub, "admin")
    try:
        page.wait_for_load_state()
        assert context.request.get(hub.url + "hub/admin").status == 200
        spawn = context.request.get(hub.url + "hub/spawn", max_redirects=10)
        assert spawn.status == 403 or "须有且只有一个角色" in spawn.text()
    finally:
        context.close()


def test_a_store_url_with_a_password_is_refused_in_both_languages(tmp_path):
    for url in ("postgresql+psycopg://city:Pg-Secret-77@127.0.0.1:5432/city",
                "postgresql+psycopg://city@127.0.0.1:5432/city?password=Pg-Secret-77"):
        done = subprocess.run(LIANHU + ["hub", "--db", url, "--data", str(tmp_path / "hub")], capture_output=True,
                              text=True, cwd=ROOT, timeout=120)
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert "数据库地址中含有密码" in done.stderr and "the store URL contains a password" in done.stderr
        assert "Pg-Secret-77" not in done.stdout + done.stderr and not (tmp_path / "hub").exists()


@needs_browser
def test_no_password_in_the_hubs_log_or_a_servers_environment(hub):
    log = hub.log()
    assert "User logged in: lin" in log and "User logged in: pat" in log
    assert not [name for name, password in PASSWORDS.items() if password in log]
    assert "Starting managed service idle-culler" in log
    for name, server in hub.servers().items():
        environment = server.environ()
        assert not [key for key, value in environment.items() if any(p in value for p in PASSWORDS.values())]
        assert "CONFIGPROXY_AUTH_TOKEN" not in environment and "LIANHU_HUB_SETTINGS" not in environment
        assert environment["JUPYTERHUB_DISABLE_USER_CONFIG"] == "1"
    assert oct(hub.data.stat().st_mode & 0o777) == "0o700"


def test_add_user_checks_names_passwords_and_roles_and_changes_a_role(tmp_path):
    data = tmp_path / "hub"
    weak = add_user(data, "zhang", "--role", "county", password="12345678")
    assert weak.returncode == 2 and "密码太弱" in weak.stderr and "too weak" in weak.stderr
    bad = add_user(data, "Zhang San", "--role", "county", password="Correct-Horse-42")
    assert bad.returncode == 2 and "用户名" in bad.stderr and "Traceback" not in bad.stderr
    assert add_user(data, "zhang", "--role", "county", password="Correct-Horse-42").returncode == 0
    no_password = add_user(data, "li", "--role", "auditor")
    assert no_password.returncode == 2 and "a new account needs a password" in no_password.stderr
    changed = add_user(data, "zhang", "--role", "auditor")  # an existing account: its password stays
    assert changed.returncode == 0 and "审计 / auditor" in changed.stdout
    listed = subprocess.run(LIANHU + ["hub", "users", "--data", str(data)], capture_output=True, text=True, cwd=ROOT)
    assert listed.stdout.split("\n")[0].split("\t")[:2] == ["zhang", "审计 / auditor"]

    from lianhu_tools.hub.accounts import accounts

    assert [(a.name, a.role, a.authorised, a.has_password) for a in accounts(data)] == [("zhang", "auditor", True, True)]
    assert oct((data / "jupyterhub.sqlite").stat().st_mode & 0o777) == "0o600"


def test_each_server_is_told_who_in_which_role_and_their_own_password_file(tmp_path):
    from lianhu_tools.hub.settings import HubSettings
    from lianhu_tools.hub.spawn import server_environment
    from lianhu_tools.hub.store_logins import person_password_file

    password_file = tmp_path / "pgpass"
    password_file.write_text("127.0.0.1:5432:city:city:Pg-Secret-77\n")
    password_file.chmod(0o644)
    with pytest.raises(Exception, match="chmod 600"):
        HubSettings.checked("postgresql+psycopg://city@127.0.0.1:5432/city", tmp_path / "hub", ROOT / "notebooks",
                            pgpassfile=password_file)
    password_file.chmod(0o600)
    settings = HubSettings(store="postgresql+psycopg://city@127.0.0.1:5432/city", data=tmp_path / "hub",
                           notebooks=ROOT / "notebooks", pgpassfile=password_file)
    home = tmp_path / "zhang"
    home.mkdir()
    own = person_password_file(home, settings.store, "zhang", "Pg:Se\\cret-77 中文")
    assert own.read_text(encoding="utf-8") == "127.0.0.1:5432:*:zhang:Pg\\:Se\\\\cret-77 中文\n"  # the store's server only
    assert oct(own.stat().st_mode & 0o777) == "0o600"
    env = server_environment("zhang", "county", settings, own)
    assert env["LIANHU_USER"] == "zhang" and env["LIANHU_ROLE"] == "county" and env["PGPASSFILE"] == str(own)
    assert env["LIANHU_DB"] == "postgresql+psycopg://zhang@127.0.0.1:5432/city"  # the person's own login
    assert "Pg-Secret-77" not in repr(env) and "Pg-Secret-77" not in settings.to_environment()


def test_the_hubs_store_is_checked_with_the_password_file_it_was_given(postgres, tmp_path, monkeypatch):
    from lianhu_tools.hub.settings import HubSettings

    from lianhu_tools.store import Store

    url = postgres.new_database()
    Store(url).engine.dispose()  # a store there
    given = tmp_path / "pgpass"
    given.write_text(Path(os.environ["PGPASSFILE"]).read_text())
    given.chmod(0o600)
    monkeypatch.delenv("PGPASSFILE")  # the password is in the file given alone
    monkeypatch.setenv("HOME", str(tmp_path))  # and in no ~/.pgpass
    settings = HubSettings.checked(url, tmp_path / "hub", ROOT / "notebooks", pgpassfile=given)
    assert settings.pgpassfile == given and "PGPASSFILE" not in os.environ


# ---------------------------------------------------------------- on PostgreSQL: the store's own logins

STORE_PASSWORDS = {"zhang": "Store-Zhang-4471", "wang": "Store-Wang-6620", "gl_office": "Store-Gl:of\\fice-1"}


@pytest.fixture(scope="module")
def store_people(postgres, tmp_path_factory):
    """The tiny demo year copied to a PostgreSQL database, with a planner, a leader and a county office as its
    logins (lianhu users add), and no hub account at all."""
    from lianhu_tools.demo.pipeline import start_demo_year
    from lianhu_tools.store import Store
    from store_copy import copy_store

    year = start_demo_year("tiny", tmp_path_factory.mktemp("pg-year"), assess=("2025H1", "2025"))
    url = postgres.new_database()
    owner = copy_store(Store(year.folder / "lianhu.sqlite", create=False), url)
    county = owner.rosters().villages["county_code"].iloc[0]
    for name, role, area in (("zhang", "planner", ""), ("wang", "leader", ""), ("gl_office", "county", county)):
        owner.add_user(name, role, area, STORE_PASSWORDS[name])
    return url


@pytest.fixture(scope="module")
def store_hub(postgres, store_people, tmp_path_factory):
    with serving(tmp_path_factory.mktemp("pg-hub") / "hub", store_people, "--pgpassfile", str(postgres.passfile),
                 "--admin", "zhang") as served:
        yield served


def test_a_store_login_is_its_password_and_an_active_user_of_the_store(postgres, store_people):
    from lianhu_tools.hub.store_logins import StoreUnreachable, person
    from lianhu_tools.store import Store

    assert person(store_people, "zhang", STORE_PASSWORDS["zhang"]).role == "planner"
    with pytest.raises(StoreUnreachable):  # a server down says nothing of the person: not a failed login
        person(f"postgresql+psycopg://zhang@127.0.0.1:{free_port()}/x", "zhang", STORE_PASSWORDS["zhang"])
    assert person(store_people, "gl_office", STORE_PASSWORDS["gl_office"]).area  # ":" and "\\" in the password
    assert person(store_people, "zhang", "not-the-password") is None
    assert person(store_people, "zhang", "") is None and person(store_people, "Zhang; --", "x") is None
    assert person(store_people, "lianhu_admin", postgres.password) is None  # a login, but not one of the store's users
    owner = Store(store_people)
    owner.add_user("li", "auditor", "", "Store-Li-2093")
    assert person(store_people, "li", "Store-Li-2093").role == "auditor"
    owner.deactivate_user("li")
    assert person(store_people, "li", "Store-Li-2093") is None


def test_five_wrong_passwords_lock_a_store_login_for_a_while(store_people):
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from lianhu_tools.hub.store_logins import StoreLogins

    logins = StoreLogins(store=store_people)

    def attempt(password):  # in a thread of its own: the browser's event loop may be running in this one
        form = {"username": "wang", "password": password}
        with ThreadPoolExecutor(1) as thread:
            return thread.submit(asyncio.run, logins.authenticate(None, form)).result()

    assert attempt(STORE_PASSWORDS["wang"])["auth_state"]["role"] == "leader"
    for _ in range(5):
        assert attempt("wrong-password-1") is None
    assert attempt(STORE_PASSWORDS["wang"]) is None  # locked, though the password is right

    async def at_once():  # thirty tries sent together count as thirty, not as one
        burst = [logins.authenticate(None, {"username": "gl_office", "password": f"wrong-{k}"}) for k in range(30)]
        return await asyncio.gather(*burst)

    with ThreadPoolExecutor(1) as thread:
        assert thread.submit(asyncio.run, at_once()).result() == [None] * 30
    assert logins._failures["gl_office"][0] == 5  # the sixth and later were not even tried against the database
    form = {"username": "gl_office", "password": STORE_PASSWORDS["gl_office"]}
    with ThreadPoolExecutor(1) as thread:
        assert thread.submit(asyncio.run, logins.authenticate(None, form)).result() is None


@needs_browser
def test_on_postgres_each_person_reaches_the_store_as_their_own_login(store_hub, store_people, chrome):
    """A planner's server connects as the planner (their own password file, 0600, gone with the server); a
    leader's draws the dashboard with the leader's login; anonymous visitors and strangers are refused."""
    assert requests.get(store_hub.url + "user/wang/voila/render/dashboard.ipynb", timeout=30).url.startswith(
        store_hub.url + "hub/login")
    visitor = requests.Session()
    visitor.get(store_hub.url + "hub/login", timeout=30)
    for name, password in (("wang", "not-the-password"), ("lianhu_admin", "anything-at-all")):
        refused = visitor.post(store_hub.url + "hub/login", data={"username": name, "password": password,
                                                                  "_xsrf": visitor.cookies.get("_xsrf")}, timeout=30)
        assert 'id="password_input"' in refused.text
    planner, page = logged_in(chrome, store_hub, "zhang", STORE_PASSWORDS["zhang"])
    page.wait_for_url(f"{store_hub.url}user/zhang/lab**", timeout=180_000)
    env = store_hub.servers()["zhang"].environ()
    assert env["LIANHU_ROLE"] == "planner" and env["LIANHU_DB"] == store_people.replace("lianhu_admin@", "zhang@")
    passfile = Path(env["PGPASSFILE"])
    assert passfile.parent == store_hub.data / "users" / "zhang" and oct(passfile.stat().st_mode & 0o777) == "0o600"
    who = subprocess.run([sys.executable, "-c", "import os; from lianhu_tools.store import Store; "
                                                "print(Store(os.environ['LIANHU_DB'], create=False).who)"],
                         env=env, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert who.stdout.strip() == "zhang", who.stderr

    context, page = logged_in(chrome, store_hub, "wang", STORE_PASSWORDS["wang"])
    try:
        page.wait_for_url(f"{store_hub.url}user/wang/voila/render/dashboard.ipynb**", timeout=180_000)
        wait_for_dashboard(page, timeout=180, served=store_hub)
    finally:
        context.close()
    assert store_hub.servers()["wang"].environ()["LIANHU_DB"] == store_people.replace("lianhu_admin@", "wang@")
    log = store_hub.log()
    assert "User logged in: zhang" in log and not [p for p in STORE_PASSWORDS.values() if p in log]
    servers = store_hub.servers()
    assert not [key for server in servers.values() for key, value in server.environ().items()
                if any(p in value for p in STORE_PASSWORDS.values())]

    # deactivated in the store while their server runs: within a minute or two it is stopped, its password file gone
    from lianhu_tools.store import Store

    Store(store_people).deactivate_user("zhang")
    deadline = time.monotonic() + 150
    while ("zhang" in store_hub.servers() or passfile.exists()) and time.monotonic() < deadline:
        planner.request.get(store_hub.url + "hub/home")  # the hub reads a person's standing again as they use it
        time.sleep(5)
    planner.close()
    assert "zhang" not in store_hub.servers() and not passfile.exists(), store_hub.log()[-3000:]
    assert "zhang is no longer an active user in the store now" in store_hub.log()


def test_the_hub_refuses_a_database_server_that_asks_no_password(postgres, tmp_path):
    """The tests' server trusts its Unix socket: there, anyone could log in to the hub as anyone."""
    from lianhu_tools.errors import HubError
    from lianhu_tools.hub.settings import HubSettings
    from lianhu_tools.store import Store

    url = postgres.new_database()
    Store(url).engine.dispose()
    database = url.rsplit("/", 1)[1]
    on_the_socket = f"postgresql+psycopg://lianhu_admin@/{database}?host={postgres.sockets}&port={postgres.port}"
    with pytest.raises(HubError, match="trust") as refused:
        HubSettings.checked(on_the_socket, tmp_path / "hub", ROOT / "notebooks")
    assert "could not tell people apart" in str(refused.value)
    assert HubSettings.checked(url, tmp_path / "hub", ROOT / "notebooks").postgres  # over TCP it asks: fine
