"""The web app: FastAPI serving server-rendered pages (Jinja2, plain forms, one local stylesheet, no scripts).

Every page but sign-in needs a signed-in user; every POST carries the session's CSRF token; responses forbid
caching, framing and anything not served from here. Claims are addressed by internal id, so no patient data
ever reaches a URL or the access log. ``create_app`` builds the app for ``rcm web`` and for tests.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import jinja2
from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from rcm.coding.rulebook import RuleBook, load_rulebook
from rcm.store.database import make_engine, require_current_schema, session_factory
from rcm.web.config import WebConfig
from rcm.web.sessions import SessionCodec, SessionData, new_session, tokens_match
from rcm.web.signins import SignIns
from rcm.web.users import UserStore

__all__ = [
    "COOKIE_NAME",
    "CsrfRejected",
    "LoginRequired",
    "WebState",
    "create_app",
    "csrf_form",
    "current_user",
    "db_session",
    "render",
    "state_of",
]

log = logging.getLogger("rcm.web")

COOKIE_NAME = "rcm_session"
HERE = Path(__file__).resolve().parent
_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
        "base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


class LoginRequired(Exception):
    """The page needs a signed-in user; ``target`` is where to go back to after signing in."""

    def __init__(self, target: str) -> None:
        super().__init__("sign-in required")
        self.target = target


class CsrfRejected(Exception):
    """A POST without the session's CSRF token (a forged form, or a page left open past the session)."""


class WebState:
    """What every request shares: configuration, database sessions, users, the rule book, templates."""

    def __init__(self, config: WebConfig, *, engine: Engine | None = None, rulebook: RuleBook | None = None) -> None:
        self.config = config
        self.owns_engine = engine is None
        self.engine = engine or make_engine(config.database_url)
        require_current_schema(self.engine)
        self.sessions: sessionmaker[Session] = session_factory(self.engine)
        self.users = UserStore(config.users_file)
        self.codec = SessionCodec(config.secret, lifetime=config.session_lifetime, idle=config.session_idle)
        self.sign_ins = SignIns(self.sessions)
        self._rulebook = rulebook
        self._rulebook_lock = threading.Lock()
        self.templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.templates.filters["money"] = lambda value: f"{value:,.2f}"
        self.templates.filters["percent"] = lambda value: "n/a" if value is None else f"{value * 100:.1f} %"
        self.templates.filters["when"] = lambda value: value.strftime("%Y-%m-%d %H:%M UTC")

    @property
    def rulebook(self) -> RuleBook:
        """The rule book, loaded on first use (compiling the code tables once can take seconds)."""
        with self._rulebook_lock:
            if self._rulebook is None:
                self._rulebook = load_rulebook(self.config.rules_dir, self.config.data_dir)
            return self._rulebook


def state_of(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


def session_of(request: Request) -> SessionData:
    session: SessionData = request.state.session
    return session


def current_user(request: Request) -> str:
    """The signed-in user's name (a dependency of every page but sign-in)."""
    user = session_of(request).user
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)
    return user


def db_session(request: Request) -> Iterator[Session]:
    """A database session for one request; the handler commits what it means to keep."""
    session = state_of(request).sessions()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


async def csrf_form(request: Request) -> FormData:
    """The posted form, once its CSRF token and origin have been checked (a dependency of every POST)."""
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host", ""):
        raise CsrfRejected()
    form = await request.form()
    token = form.get("csrf_token")
    if not isinstance(token, str) or not tokens_match(token, session_of(request).csrf):
        raise CsrfRejected()
    return form


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page from ``template`` with the user and the form token every page needs."""
    session = session_of(request)
    context.setdefault("nav", "")
    page = state_of(request).templates.get_template(template).render(
        user=session.user, csrf_token=session.csrf, today=state_of(request).config.today(), **context
    )
    return HTMLResponse(page, status_code=status_code)


def safe_target(target: str | None) -> str:
    """Where to go after signing in: a path on this site only (never another host)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/worklist"
    return target


def _login_routes(app: FastAPI) -> None:
    @app.get("/login", response_class=HTMLResponse)
    def login_page(request: Request, next: str | None = None) -> Response:
        if session_of(request).user:
            return RedirectResponse(safe_target(next), status_code=303)
        return render(request, "login.html.j2", title="Sign in", next=safe_target(next), error=None, username="")

    @app.post("/login", response_class=HTMLResponse)
    def login(request: Request, form: FormData = Depends(csrf_form)) -> Response:
        state = state_of(request)
        name = str(form.get("username", "")).strip().lower()
        password = str(form.get("password", ""))
        target = safe_target(str(form.get("next", "")))
        if state.sign_ins.blocked(name):
            log.warning("sign-in refused for %s: too many failed attempts", name)
            return render(request, "login.html.j2", 429, title="Sign in", next=target, username=name,
                          error="Too many failed attempts: wait a quarter of an hour and try again.")
        user = state.users.authenticate(name, password)
        if user is None:
            state.sign_ins.failed(name)
            log.warning("failed sign-in for %s", name or "(no name)")
            return render(request, "login.html.j2", 401, title="Sign in", next=target, username=name,
                          error="Unknown user or wrong password.")
        state.sign_ins.succeeded(name)
        key = state.sign_ins.start(user.name)
        request.state.session = new_session(user=user.name, stamp=user.session_stamp, key=key)
        log.info("%s signed in", user.name)
        return RedirectResponse(target, status_code=303)

    @app.post("/logout")
    def logout(request: Request, form: FormData = Depends(csrf_form)) -> Response:
        ending = session_of(request)
        user = ending.user
        state_of(request).sign_ins.end(ending.key)
        request.state.session = new_session()
        if user:
            log.info("%s signed out", user)
        return RedirectResponse("/login", status_code=303)


def create_app(
    config: WebConfig | None = None, *, engine: Engine | None = None, rulebook: RuleBook | None = None
) -> FastAPI:
    """The app on ``config`` (default: the environment's settings). ``engine`` and ``rulebook`` may be handed in
    (tests share theirs); otherwise they are made from the configuration."""
    from rcm.web import views

    state = WebState(config or WebConfig.from_settings(), engine=engine, rulebook=rulebook)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            if state.owns_engine:
                state.engine.dispose()

    app = FastAPI(title="rcm", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.web = state

    @app.middleware("http")
    async def sessions_and_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        session = state.codec.loads(request.cookies.get(COOKIE_NAME))
        name = session.user if session is not None else None
        if session is not None and name is not None:
            user = state.users.get(name)
            if user is None or user.session_stamp != session.stamp:  # removed, or the password changed
                session = None
            elif not request.url.path.startswith("/static/") and not await run_in_threadpool(
                state.sign_ins.is_live, session.key, name
            ):
                session = None  # signed out (this cookie may be a copy), or ended by an administrator
        request.state.session = session or new_session()
        response = await call_next(request)
        for name, value in _HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "private, max-age=3600")
            return response
        response.headers["Cache-Control"] = "no-store"
        response.set_cookie(
            COOKIE_NAME,
            state.codec.dumps(request.state.session),
            httponly=True,
            samesite="strict",
            secure=state.config.secure_cookies,
            path="/",
        )
        return response

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={quote(safe_target(exc.target), safe='/')}", status_code=303)

    @app.exception_handler(CsrfRejected)
    async def csrf_rejected(request: Request, exc: CsrfRejected) -> Response:
        log.warning("form refused: missing or wrong CSRF token on %s", request.url.path)
        return render(request, "error.html.j2", 403, title="Form refused",
                      message="This form was refused: it was not sent from a page of this site in your current "
                              "session. Reload the page and send it again.")

    @app.get("/healthz", response_class=PlainTextResponse)
    def healthz() -> str:
        return "ok"

    @app.get("/")
    def home() -> Response:
        return RedirectResponse("/worklist", status_code=303)

    _login_routes(app)
    views.register(app)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    return app
