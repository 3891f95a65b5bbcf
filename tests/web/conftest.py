"""Web fixtures: the shipped rule book (compiled once), a seeded office per module, a signed-in TestClient."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from rcm.coding import RuleBook, load_rulebook
from rcm.store.testing import fresh_database
from rcm.web import WebConfig, create_app
from rcm.web.users import UserStore

from .seed import AS_OF, PASSWORD, RULES_DIR, Office, build_office

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="session")
def book(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> RuleBook:
    """The shipped rules and tables; the compiled cache lives in pytest's cache folder when there is one."""
    cache = getattr(request.config, "cache", None)
    folder = cache.mkdir("rcm-coding-tables") if cache is not None else tmp_path_factory.mktemp("coding-data")
    return load_rulebook(RULES_DIR, folder)


def web_config(office: Office, data_dir: Path) -> WebConfig:
    users = UserStore(data_dir / "web-users.json")
    for name in ("jdoe", "asmith"):
        if users.get(name) is None:
            users.set_password(name, PASSWORD)
    return WebConfig(
        database_url=office.settings.database_url,
        data_dir=data_dir,
        rules_dir=RULES_DIR,
        users_file=users.path,
        secret=b"s" * 48,
        as_of=AS_OF,
    )


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory, book: RuleBook) -> Iterator[Office]:
    """A seeded office for tests that only read (one per module and worker)."""
    data_dir = tmp_path_factory.mktemp("web-office")
    with fresh_database(data_dir) as engine:
        yield build_office(engine, data_dir, book)


@pytest.fixture
def fresh_office(tmp_path: Path, book: RuleBook) -> Iterator[Office]:
    """A seeded office of its own, for a test that changes claims."""
    with fresh_database(tmp_path) as engine:
        yield build_office(engine, tmp_path, book)


ClientFactory = Callable[..., TestClient]


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "the page carries a CSRF token"
    return match.group(1)


def sign_in(client: TestClient, user: str = "jdoe", password: str = PASSWORD) -> None:
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"username": user, "password": password, "csrf_token": token,
                                           "next": "/worklist"}, follow_redirects=False)
    assert response.status_code == 303, response.text


def _client(office: Office, data_dir: Path, book: RuleBook, engine: Engine) -> TestClient:
    app = create_app(web_config(office, data_dir), engine=engine, rulebook=book)
    return TestClient(app, base_url="http://127.0.0.1:8000")


@pytest.fixture
def client(office: Office, tmp_path: Path, book: RuleBook) -> Iterator[TestClient]:
    """A signed-in client (user jdoe) on the module's office."""
    with _client(office, tmp_path, book, office.engine) as c:
        sign_in(c)
        yield c


@pytest.fixture
def anonymous(office: Office, tmp_path: Path, book: RuleBook) -> Iterator[TestClient]:
    with _client(office, tmp_path, book, office.engine) as c:
        yield c


@pytest.fixture
def fresh_client(fresh_office: Office, tmp_path: Path, book: RuleBook) -> Iterator[TestClient]:
    """A signed-in client on an office of its own."""
    with _client(fresh_office, tmp_path, book, fresh_office.engine) as c:
        sign_in(c)
        yield c
