"""The hub's configuration (`configure`, called by app/hub/jupyterhub_config.py) and what each person's server is
started with (`before_spawn`): their role from their JupyterHub group, the store, the policy file and the password
file in its environment, and either the dashboard alone (leaders) or JupyterLab on the notebooks. Read by the hub
only (it imports JupyterHub)."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from pathlib import Path

from tornado.web import HTTPError

from ..roles import ROLES, role_label
from ..serve import APP, NOTEBOOK, free_port
from .store_logins import PASSWORD_FILE, StoreUnreachable, crypt_key, person, person_password_file, person_url
from .settings import (FAILED_LOGINS_ALLOWED, LOCKOUT_SECONDS, PASSWORD_MIN_CHARACTERS, USERNAME, HubSettings,
                       hub_database_url)

CONFIG = APP / "hub"  # this file's configuration files: jupyterhub_config.py, the servers' own
JUPYTERLAB_ROLES = ("planner", "county", "auditor")
TERMINAL_ROLES = ("planner",)  # a shell on the server: the city planners only


def configure(c, settings: HubSettings) -> None:
    """JupyterHub's configuration `c` for `settings`."""
    data = settings.make_data_folder()
    c.JupyterHub.bind_url = f"http://{settings.ip}:{settings.port}"
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = free_port()
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{free_port()}"
    c.ConfigurableHTTPProxy.command = [settings.proxy]
    c.ConfigurableHTTPProxy.pid_file = str(data / "jupyterhub-proxy.pid")
    c.JupyterHub.db_url = hub_database_url(data)
    c.JupyterHub.cookie_secret_file = str(data / "jupyterhub_cookie_secret")
    c.JupyterHub.template_vars = {"announcement_login": "联村联户工作台 / lianhu workbench"}

    if settings.postgres:
        _logins_of_the_store(c, settings)
    else:
        _accounts_of_the_hub(c, settings)
    c.JupyterHub.load_groups = {code: {"users": [], "properties": {"label": role_label(code)}} for code in ROLES}

    c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
    c.SimpleLocalProcessSpawner.home_dir_template = str(data / "users" / "{username}")
    c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]
    c.Spawner.start_timeout = 180
    c.Spawner.http_timeout = 180
    c.Spawner.pre_spawn_hook = lambda spawner: before_spawn(spawner, settings)
    c.Spawner.post_stop_hook = after_stop

    c.JupyterHub.services = [{"name": "idle-culler", "command": [
        sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={settings.idle_timeout}",
        f"--cull-every={max(30, min(300, settings.idle_timeout // 4))}"]}]
    c.JupyterHub.load_roles = [{"name": "idle-culler", "services": ["idle-culler"],
                                "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]}]


def _accounts_of_the_hub(c, settings: HubSettings) -> None:
    """A SQLite store: the hub's own accounts (`lianhu hub add-user`), their roles its groups."""
    c.JupyterHub.authenticator_class = "native"
    c.NativeAuthenticator.allow_all = True  # NativeAuthenticator lets in only accounts the admin authorised
    c.NativeAuthenticator.admin_users = {settings.admin}
    c.NativeAuthenticator.enable_signup = settings.signup
    c.NativeAuthenticator.open_signup = False  # a sign-up waits for the admin (/hub/authorize)
    c.NativeAuthenticator.minimum_password_length = PASSWORD_MIN_CHARACTERS
    c.NativeAuthenticator.check_common_password = True
    c.NativeAuthenticator.allowed_failed_logins = FAILED_LOGINS_ALLOWED
    c.NativeAuthenticator.seconds_before_next_try = LOCKOUT_SECONDS
    c.NativeAuthenticator.username_pattern = USERNAME.pattern


def _logins_of_the_store(c, settings: HubSettings) -> None:
    """A PostgreSQL store: its own logins and users table (hub/store_logins.py), the passwords kept encrypted."""
    c.JupyterHub.authenticator_class = "lianhu_tools.hub.store_logins.StoreLogins"
    c.StoreLogins.store = settings.store
    c.StoreLogins.passfile = str(settings.pgpassfile or "")
    c.StoreLogins.auth_refresh_age = 60  # each person's standing in the store read again a minute at most after
    c.StoreLogins.admin_users = set()  # no hub admin: people are the store's (an admin could read auth_state)
    c.Authenticator.enable_auth_state = True  # the password, from login until the server starts (then dropped)
    c.CryptKeeper.keys = [crypt_key(settings.data)]
    c.JupyterHub.cookie_max_age_days = 1  # a server stopped starts again after a new login, so log in daily


def role_of(spawner) -> str:
    """The role of the spawner's user: their one group among ROLES (read afresh: `lianhu hub add-user` may have
    changed it while the hub runs); an HTTP 403 with the reason when they have none or several."""
    from sqlalchemy.orm import object_session

    orm_user = spawner.user.orm_user
    object_session(orm_user).refresh(orm_user)
    roles = sorted({group.name for group in orm_user.groups} & set(ROLES))
    if len(roles) == 1:
        return roles[0]
    named = "、".join(roles) or "无 / none"
    raise HTTPError(403, f"账号 {spawner.user.name} 须有且只有一个角色（现在：{named}），请管理员在“管理”页的组或用 "
                         f"lianhu hub add-user 设定 / the account must have exactly one role (now: {named}): ask the "
                         f"admin to set it (admin page, groups; or lianhu hub add-user)")


async def role_in_the_store(spawner, settings: HubSettings) -> tuple[str, str]:
    """On a PostgreSQL store: the person's role (read afresh with their own login) and their password; an HTTP 403
    when they are no longer an active user of the store."""
    state = await spawner.user.get_auth_state() or {}
    if not state.get("password"):
        raise HTTPError(403, "请先退出（/hub/logout）再登录，以启动您的服务器 / log out (/hub/logout) and log in again to "
                             "start your server")
    try:
        found = await asyncio.to_thread(person, settings.store, spawner.user.name, state["password"])
    except StoreUnreachable:
        raise HTTPError(503, "数据库暂时连不上，请稍后再试 / the store cannot be reached just now: try again later") from None
    if found is None:
        raise HTTPError(403, f"{spawner.user.name} 已不是数据库的有效用户或密码已改，请重新登录 / {spawner.user.name} is no "
                             f"longer an active user of the store, or their password changed: log in again")
    return found.role, state["password"]


async def before_spawn(spawner, settings: HubSettings) -> None:
    """Spawner.pre_spawn_hook: the server's environment, folder, address and command line for the user's role."""
    home = Path(spawner.home_dir)
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    if settings.postgres:
        role, password = await role_in_the_store(spawner, settings)
        passfile = person_password_file(home, settings.store, spawner.user.name, password)
        await spawner.user.save_auth_state({"role": role})  # the password now only in the person's own file
    else:
        role, passfile = role_of(spawner), settings.pgpassfile
    spawner.environment = server_environment(spawner.user.name, role, settings, passfile)
    args = ["--allow-root"] if hasattr(os, "getuid") and os.getuid() == 0 else []
    if role == "leader":
        spawner.notebook_dir = str(dashboard_folder(home))
        spawner.default_url = f"/voila/render/{NOTEBOOK.name}"
        spawner.environment["JUPYTER_PATH"] = str(APP)  # the lianhu template
        args.append(f"--config={CONFIG / 'dashboard_server.py'}")
    else:
        spawner.notebook_dir = str(settings.notebooks)
        spawner.default_url = "/lab"
        args.append(f"--ServerApp.terminals_enabled={role in TERMINAL_ROLES}")
    spawner.args = args


def after_stop(spawner) -> None:
    """Spawner.post_stop_hook: the person's password file goes with their server."""
    (Path(spawner.home_dir) / PASSWORD_FILE).unlink(missing_ok=True)


def server_environment(user: str, role: str, settings: HubSettings, passfile: Path | None = None) -> dict[str, str]:
    """What the store and the notebooks read: who, in which role, on which store (on PostgreSQL as their own
    login), under which policy. No password: the store URL has none (checked), a PostgreSQL password is read
    from the password file `passfile` (PGPASSFILE)."""
    store = person_url(settings.store, user) if settings.postgres else settings.store
    env = {"LIANHU_USER": user, "LIANHU_ROLE": role, "LIANHU_DB": store,
           "JUPYTERHUB_DISABLE_USER_CONFIG": "1"}  # no configuration from the working folder
    if settings.policy_file:
        env["LIANHU_POLICY"] = str(settings.policy_file)
    if passfile:
        env["PGPASSFILE"] = str(passfile)
    if role == "leader":
        limits = settings.dashboard
        env["LIANHU_DASHBOARD_LIMITS"] = f"{limits.pages},{limits.abandoned_seconds},{settings.idle_timeout}," \
                                         f"{limits.interval_seconds}"
    return env


def dashboard_folder(home: Path) -> Path:
    """The leader's server's root: a folder holding only the packaged dashboard notebook (copied afresh)."""
    folder = home / "dashboard"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(mode=0o700)
    shutil.copyfile(NOTEBOOK, folder / NOTEBOOK.name)
    return folder
