"""`rcm remits post`: JSON figures, 999 in the outbound drop, duplicates, unreadable files (exit 2), concurrency."""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from rcm.cli import app
from rcm.config import reset_settings
from rcm.remits.files import post_received_files
from rcm.store import ClaimPayment, ClaimRecord, X12FileRecord, make_engine
from rcm.store.testing import url_with_schema
from tests.conftest import SHARED
from tests.remits.bench_files import paying_835
from tests.remits.conftest import ClaimFactory

DEMO = SHARED / "x12-samples" / "LinuxForHealth+x12" / "demo-file" / "demo.835"
DEMO_837 = SHARED / "x12-samples" / "LinuxForHealth+x12" / "demo-file" / "demo.837"


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """RCM_DATA_DIR in tmp_path and a database of its own (a fresh schema on PostgreSQL)."""
    data_dir = tmp_path / "data"
    monkeypatch.setenv("RCM_DATA_DIR", str(data_dir))
    url = os.environ.get("RCM_DATABASE_URL")
    schema = None
    if url and make_url(url).get_backend_name() == "postgresql":
        schema = f"rcm_cli_{uuid.uuid4().hex[:10]}"
        admin = make_engine(url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        monkeypatch.setenv("RCM_DATABASE_URL", url_with_schema(url, schema))
    else:
        monkeypatch.delenv("RCM_DATABASE_URL", raising=False)
    reset_settings()
    yield data_dir
    reset_settings()
    if schema is not None and url:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_post_prints_the_figures_and_writes_a_999(cli_env: Path) -> None:
    if not DEMO.is_file():
        pytest.skip("../shared/x12-samples is not beside the repo")
    code, out, _ = run("remits", "post", str(DEMO), "--json")
    assert code == 0
    report = json.loads(out)
    assert report == {
        "file": str(DEMO),
        "transactions": [
            {
                "trace": "12345", "payer": "1512345678", "payment": "150000.00", "claims": 2, "matched": 0,
                "unmatched": 2, "paid": "149998.73", "adjusted": "76368.24", "patient_responsibility": "0.00",
                "plb": "-1.27", "balanced": True, "duplicate": False,
            }
        ],
    }
    # Neither a clearinghouse folder nor the sample's ISA ids name a clearinghouse: answered through `default`.
    acks = sorted((cli_env / "outbound").rglob("999_*.x12"))
    assert [a.parent for a in acks] == [cli_env / "outbound" / "default"]
    body = acks[0].read_text()
    assert body.startswith("ISA") and "ST*999" in body and "AK2*835*1234" in body
    assert not list((cli_env / "outbound").rglob(".*"))  # no temporary file left behind

    # Posted again: nothing posted, and not answered a second time.
    code, out, _ = run("remits", "post", str(DEMO), "--json")
    assert code == 0 and json.loads(out)["transactions"][0]["duplicate"] is True
    assert sorted((cli_env / "outbound").rglob("999_*.x12")) == acks


def test_human_output_names_imbalances(cli_env: Path, tmp_path: Path) -> None:
    unbalanced = tmp_path / "short.835"
    unbalanced.write_bytes(paying_835(["X1"], trace="T-SHORT", payment="1.00"))
    code, out, _ = run("remits", "post", str(unbalanced))
    assert code == 0
    assert "NOT BALANCED" in out and "segment 4:" in out


def test_a_file_that_is_not_x12_exits_2_without_a_traceback(cli_env: Path, tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("this is not an EDI file\n")
    code, out, err = run("remits", "post", str(junk), "--json")
    assert code == 2 and "not an X12 file" in err and "Traceback" not in err + out
    code, _, err = run("remits", "post", str(tmp_path / "missing.835"))
    assert code == 2 and "no such file" in err


def test_an_837_is_not_a_remittance(cli_env: Path) -> None:
    if not DEMO_837.is_file():
        pytest.skip("../shared/x12-samples is not beside the repo")
    code, _, err = run("remits", "post", str(DEMO_837))
    assert code == 2 and "not an 835" in err


def test_other_files_still_post_when_one_is_unreadable(cli_env: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.835"
    good.write_bytes(paying_835(["X1", "X2"], trace="T-GOOD"))
    junk = tmp_path / "junk.835"
    junk.write_bytes(b"\x00\x01\x02")
    code, out, err = run("remits", "post", str(junk), str(good), "--json")
    assert code == 2 and "junk.835" in err
    assert json.loads(out)["transactions"][0]["claims"] == 2


def test_a_crash_posts_nothing_and_drops_no_999(
    cli_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import rcm.remits.writing as writing

    real = writing.insert_rows

    def failing(session: object, model: object, rows: list[dict[str, object]]) -> None:
        if model is writing.Adjustment:
            raise RuntimeError("disk full")
        real(session, model, rows)  # type: ignore[arg-type]

    monkeypatch.setattr(writing, "insert_rows", failing)
    good = tmp_path / "good.835"
    good.write_bytes(paying_835(["X1", "X2"], trace="T-CRASH"))
    code, out, err = run("remits", "post", str(good), "--json")
    assert code == 1 and "nothing from this file was posted" in err and "Traceback" not in err
    assert not [p for p in (cli_env / "outbound").rglob("*") if p.is_file()]
    monkeypatch.setattr(writing, "insert_rows", real)
    code, out, _ = run("remits", "post", str(good), "--json")
    assert code == 0 and json.loads(out)["transactions"][0]["duplicate"] is False


def test_two_runs_posting_at_the_same_time_stay_correct(
    engine: Engine, make_claim: ClaimFactory, tmp_path: Path, cli_env: Path
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrent posting is checked on PostgreSQL (set RCM_DATABASE_URL)")
    numbers = [f"C{i}" for i in range(40)]
    for number in numbers:
        make_claim(number, [("99213", "100.00", "1", [])])
    first = tmp_path / "first.835"
    second = tmp_path / "second.835"
    first.write_bytes(paying_835(numbers, trace="T-A", paid="60.00"))
    second.write_bytes(paying_835(list(reversed(numbers)), trace="T-B", paid="10.00"))
    errors: list[BaseException] = []

    def post(paths: list[Path]) -> None:
        try:
            _, failed = post_received_files(paths, engine=engine)
            errors.extend(failed)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=post, args=([p],)) for p in (first, second, first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(ClaimPayment)) == 80
        assert conn.scalar(select(func.count()).select_from(X12FileRecord).where(X12FileRecord.direction == "in")) == 2
        paid = set(conn.scalars(select(ClaimRecord.paid_amount)))
    assert paid == {70} and len(numbers) == 40
