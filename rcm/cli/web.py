"""`rcm web`: serve the worklist, claim and dashboard pages; `rcm web add-user | remove-user | users | sessions |
sign-out`."""

from __future__ import annotations

import ipaddress
import sys
from datetime import date

import typer

from rcm.config import get_settings
from rcm.errors import ConfigError

__all__ = ["register"]

web_app = typer.Typer(help="The web pages for billing staff and analysts (sign-in required).")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@web_app.callback(invoke_without_command=True)
def serve_command(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (loopback by default: pages show PHI)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Judge ages, filing limits and A/R as of this day (YYYY-MM-DD), e.g. for the demo."
    ),
    secure_cookies: bool = typer.Option(
        False, "--secure-cookies", help="Send the session cookie over HTTPS only (behind a TLS proxy)."
    ),
) -> None:
    """Serve the pages until stopped (Ctrl-C). Add a user first with `rcm web add-user NAME`."""
    if ctx.invoked_subcommand is not None:
        return
    import uvicorn

    from rcm.cli._store import store_engine
    from rcm.web import WebConfig, create_app
    from rcm.web.users import UserStore

    day = None
    if as_of is not None:
        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            raise ConfigError(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)") from None
    config = WebConfig.from_settings(as_of=day, secure_cookies=secure_cookies)
    if not UserStore(config.users_file).names():
        typer.echo(f"note: no users in {config.users_file} yet: add one with `rcm web add-user NAME`", err=True)
    if not _is_loopback(host):
        typer.echo(
            f"warning: listening on {host}: these pages show patient data; serve them only behind TLS "
            "(and use --secure-cookies)",
            err=True,
        )
    with store_engine() as engine:
        app = create_app(config, engine=engine)
        typer.echo(f"rcm web pages on http://{host}:{port}/ (Ctrl-C to stop)")
        uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@web_app.command("add-user")
def add_user_command(
    name: str = typer.Argument(..., help="User name (lower-case letters, digits, '.', '_', '-')."),
    replace: bool = typer.Option(False, "--replace", help="Give an existing user a new password."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
) -> None:
    """Add a user who may sign in (the password is asked for twice and stored as a scrypt hash)."""
    from rcm.web.config import users_file_for
    from rcm.web.users import UserStore

    store = UserStore(users_file_for(get_settings()))
    user = store.set_password(name, _read_password(password_stdin), replace=replace)
    typer.echo(f"user {user.name} {'updated' if replace else 'added'} in {store.path}")


@web_app.command("remove-user")
def remove_user_command(name: str = typer.Argument(..., help="User name.")) -> None:
    """Remove a user (their open sessions stop working at once)."""
    from rcm.web.config import users_file_for
    from rcm.web.users import UserStore

    store = UserStore(users_file_for(get_settings()))
    if not store.remove(name):
        raise ConfigError(f"no user {name} in {store.path}")
    typer.echo(f"user {name} removed from {store.path}")


@web_app.command("users")
def users_command() -> None:
    """List the users who may sign in."""
    from rcm.web.config import users_file_for
    from rcm.web.users import UserStore

    store = UserStore(users_file_for(get_settings()))
    names = store.names()
    if not names:
        typer.echo(f"no users in {store.path}")
    for name in names:
        typer.echo(name)


@web_app.command("sessions")
def sessions_command() -> None:
    """List the signed-in sessions not ended (user and when each signed in; a session also ends when its cookie
    expires or sits idle too long)."""
    from rcm.cli._store import store_engine
    from rcm.store.database import session_factory
    from rcm.web.signins import SignIns

    with store_engine() as engine:
        live = SignIns(session_factory(engine)).live()
    if not live:
        typer.echo("no signed-in sessions")
    for item in live:
        typer.echo(f"{item.user}\tsigned in {item.started_at:%Y-%m-%d %H:%M} UTC")


@web_app.command("sign-out")
def sign_out_command(name: str = typer.Argument(..., help="User name.")) -> None:
    """End every session of a user at once (a lost laptop, a shared screen); they can sign in again."""
    from rcm.cli._store import store_engine
    from rcm.store.database import session_factory
    from rcm.web.signins import SignIns

    with store_engine() as engine:
        ended = SignIns(session_factory(engine)).end_all(name.strip().lower())
    typer.echo(f"{ended} session{'' if ended == 1 else 's'} of {name} ended")


def register(app: typer.Typer) -> None:
    """Add `rcm web ...` to the main app."""
    app.add_typer(web_app, name="web")
