"""Passwords, the users file, signed session cookies and the session secret."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from rcm.errors import ConfigError, InputError
from rcm.web.sessions import SECRET_ENV, SessionCodec, load_secret, new_session, tokens_match
from rcm.web.users import UserStore, hash_password, verify_password


def test_password_hashes_are_salted_scrypt_and_checked() -> None:
    first, second = hash_password("a long passphrase", n=2**10), hash_password("a long passphrase", n=2**10)
    assert first.startswith("scrypt$1024$8$1$") and first != second
    assert verify_password("a long passphrase", first) and not verify_password("a long passphrase!", first)
    assert not verify_password("x", "scrypt$bad") and not verify_password("x", "md5$1$2$3$4$5")


def test_the_users_file(tmp_path: Path) -> None:
    store = UserStore(tmp_path / "users" / "web-users.json")
    assert store.names() == [] and store.get("jdoe") is None
    user = store.set_password("jdoe", "twelve chars!")
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert "twelve chars!" not in store.path.read_text()
    assert store.authenticate("jdoe", "twelve chars!") == user
    assert store.authenticate("jdoe", "twelve chars?") is None and store.authenticate("nobody", "x") is None
    with pytest.raises(InputError, match="already exists"):
        store.set_password("jdoe", "another password")
    with pytest.raises(InputError, match="at least 12"):
        store.set_password("asmith", "short")
    with pytest.raises(InputError, match="user name"):
        store.set_password("Robert'); DROP", "long enough password")
    renewed = store.set_password("jdoe", "another password", replace=True)
    assert renewed.session_stamp != user.session_stamp and renewed.created_at == user.created_at
    assert store.remove("jdoe") and not store.remove("jdoe") and store.names() == []
    store.path.write_text("not json")
    with pytest.raises(ConfigError, match="not JSON"):
        store.names()


def test_session_cookies_are_signed_and_expire() -> None:
    codec = SessionCodec(b"k" * 32, lifetime=3600, idle=600)
    session = new_session(user="jdoe", stamp="abc", now=1000.0)
    cookie = codec.dumps(session, now=1000.0)
    assert codec.loads(cookie, now=1100.0) == session.__class__(session.csrf, "jdoe", "abc", 1000.0, 1000.0)
    assert codec.loads(cookie, now=1000.0 + 601) is None  # idle too long
    assert codec.loads(codec.dumps(session, now=4500.0), now=4650.0) is None  # older than its lifetime
    body, signature = cookie.rsplit(".", 1)
    assert codec.loads(body + "." + signature[::-1]) is None
    assert SessionCodec(b"o" * 32, lifetime=3600, idle=600).loads(cookie, now=1100.0) is None
    assert codec.loads("garbage", now=1100.0) is None and codec.loads(None) is None
    with pytest.raises(ConfigError):
        SessionCodec(b"short", lifetime=1, idle=1)
    assert tokens_match(session.csrf, session.csrf) and not tokens_match("", session.csrf)
    assert not tokens_match(None, session.csrf)


def test_the_session_secret(tmp_path: Path) -> None:
    made = load_secret(tmp_path, {})
    assert len(made) >= 32 and load_secret(tmp_path, {}) == made
    assert stat.S_IMODE((tmp_path / "web-secret.key").stat().st_mode) == 0o600
    assert load_secret(tmp_path, {SECRET_ENV: "e" * 40}) == b"e" * 40
    with pytest.raises(ConfigError, match="at least 32"):
        load_secret(tmp_path, {SECRET_ENV: "short"})
