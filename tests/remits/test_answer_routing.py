"""Where `rcm remits post` and post_received_files put the 999 for an 835: the outbound folder of the clearinghouse
named with --clearinghouse, else of the one the file's folder or ISA ids name, else of `default`; once per file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from rcm.config import get_settings, reset_settings
from rcm.remits.files import post_received_files
from rcm.store import X12FileRecord, make_engine
from tests.remits.answer_files import ACME, DEFAULT, remittance, rules_with, run_cli


@pytest.fixture
def data_dir(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh database and data folder (as a user sets them), with the clearinghouses ``default`` and ``acme``."""
    monkeypatch.setenv("RCM_RULES_DIR", str(rules_with(tmp_path / "rules")))
    reset_settings()
    yield get_settings().data_dir
    reset_settings()


def _acks(data_dir: Path) -> dict[str, int]:
    found: dict[str, int] = {}
    for path in (data_dir / "outbound").rglob("999_*"):
        key = str(path.parent.relative_to(data_dir))
        found[key] = found.get(key, 0) + 1
    return found


def _write(folder: Path, name: str, content: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(content)
    return folder / name


def test_each_835_is_answered_through_the_clearinghouse_it_names(data_dir: Path, tmp_path: Path) -> None:
    downloads = tmp_path / "downloads"
    acme = _write(downloads, "acme.835", remittance("T-A", sender=ACME[0], receiver=ACME[1]))
    ours = _write(downloads, "default.835", remittance("T-D", sender=DEFAULT[0], receiver=DEFAULT[1]))
    payer = _write(downloads, "payer.835", remittance("T-P", sender="SOMEPAYER", receiver="SOMEONEELSE"))
    results, errors = post_received_files([acme, ours, payer])
    assert errors == []
    where = {Path(r.file).name: str(r.acknowledgment.parent.relative_to(data_dir)) for r in results
             if r.acknowledgment is not None}
    assert where == {"acme.835": "outbound/acme", "default.835": "outbound/default", "payer.835": "outbound/default"}


def test_an_835_in_a_clearinghouse_folder_is_answered_through_it(data_dir: Path) -> None:
    path = _write(data_dir / "inbound" / "acme", "r.835", remittance("T-F", sender=DEFAULT[0], receiver=DEFAULT[1]))
    (result,), errors = post_received_files([path])
    assert errors == [] and result.acknowledgment is not None
    assert result.acknowledgment.parent == data_dir / "outbound" / "acme"


def test_the_cli_answers_through_the_clearinghouse_named(data_dir: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, "r.835", remittance("T-N", sender=DEFAULT[0], receiver=DEFAULT[1]))
    code, out, err = run_cli("remits", "post", str(path), "--clearinghouse", "acme")
    assert code == 0, err
    assert f"999 written: {data_dir / 'outbound' / 'acme'}/999_" in out
    assert _acks(data_dir) == {"outbound/acme": 1}
    engine = make_engine(get_settings().database_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(select(X12FileRecord.clearinghouse, X12FileRecord.status, X12FileRecord.path)
                               .where(X12FileRecord.kind == "999")).one()
    finally:
        engine.dispose()
    assert row.clearinghouse == "acme" and row.status == "dropped"
    assert Path(row.path).parent == data_dir / "outbound" / "acme"

    # posted again, through another clearinghouse even: nothing posted, nothing answered a second time
    code, out, _ = run_cli("remits", "post", str(path), "--clearinghouse", "default")
    assert code == 0 and "DUPLICATE" in out and "no new 999" in out
    assert _acks(data_dir) == {"outbound/acme": 1}


def test_the_cli_without_a_name_answers_through_the_one_the_isa_names(data_dir: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, "r.835", remittance("T-I", sender=ACME[0], receiver=ACME[1]))
    code, _, err = run_cli("remits", "post", str(path), "--json")
    assert code == 0, err
    assert _acks(data_dir) == {"outbound/acme": 1}


def test_the_cli_refuses_a_clearinghouse_not_configured(data_dir: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, "r.835", remittance("T-U", sender=ACME[0], receiver=ACME[1]))
    code, out, err = run_cli("remits", "post", str(path), "--clearinghouse", "nosuch")
    assert code == 1 and "no clearinghouse named 'nosuch'" in err and "acme, default" in err
    assert "Traceback" not in out + err
    assert _acks(data_dir) == {}
    # nothing was posted either: the file posts in full once the name is right
    code, out, _ = run_cli("remits", "post", str(path), "--clearinghouse", "acme", "--json")
    assert code == 0 and '"duplicate": false' in out
