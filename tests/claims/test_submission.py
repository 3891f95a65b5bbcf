"""Building claims from the store: one file per clearinghouse, atomically dropped, recorded in one commit,
idempotent, with COB from posted payments; every file passes pyx12 with zero errors."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rcm.claims import submission
from rcm.claims.submission import build_claims
from rcm.config import Settings
from rcm.domain import ClaimFrequency
from rcm.errors import StoreError
from rcm.store import repositories
from rcm.store.tables import ClaimStatus, ClaimSubmission, X12FileRecord, X12TransactionRecord
from rcm.x12.pyx12_oracle import pyx12_findings
from rcm.x12.tokenizer import iter_segments

from .store_helpers import post_primary_payment, primary_encounter, queue_next_payer, ready_claim

NOW = datetime(2024, 8, 1, 9, 30, tzinfo=UTC)


def _segments(path: str) -> list[tuple[str, list[str]]]:
    return [(s.id, s.elements) for s in iter_segments(Path(path))]


def _assert_clean(path: str) -> None:
    report = pyx12_findings(Path(path))
    assert report.mapped and report.failed is None
    assert [f"{f.segment}:{f.message}" for f in report.findings] == []


def test_build_writes_one_file_recorded_with_every_claim(session: Session, settings: Settings) -> None:
    claims = [ready_claim(session, primary_encounter(i)) for i in range(12)]
    report = build_claims(session, settings, now=NOW)
    assert len(report.files) == 1 and report.skipped == []
    written = report.files[0]
    assert written.claims == 12
    assert written.charges == sum((c.total_charge for c in claims), start=written.charges * 0)
    assert Path(written.path).parent == settings.data_dir / "outbound" / "default"
    assert [p.name for p in Path(written.path).parent.iterdir()] == [Path(written.path).name]
    _assert_clean(written.path)
    segs = _segments(written.path)
    assert [e[0] for i, e in segs if i == "GS"] == ["HC", "HC"]  # professional and institutional groups
    assert sum(1 for i, _ in segs if i == "CLM") == 12
    file = session.scalars(select(X12FileRecord)).one()
    assert file.interchange_control_number == written.interchange_control_number and file.kind == "837"
    txs = session.scalars(select(X12TransactionRecord)).all()
    assert len(txs) == written.transactions and sum(t.claim_count for t in txs) == 12
    for claim in claims:
        session.refresh(claim)
        assert claim.status is ClaimStatus.submitted
        last = repositories.claim_timeline(session, claim.claim_number)[-1]
        assert last.source_kind == "build" and last.source_file_id == file.id
        assert Path(written.path).name in last.cause
    assert json.loads(json.dumps(report.as_json()))["files"][0]["claims"] == 12


def test_rebuilding_sends_nothing_twice(session: Session, settings: Settings) -> None:
    claim = ready_claim(session, primary_encounter(2))
    first = build_claims(session, settings, now=NOW)
    assert len(first.files) == 1
    assert build_claims(session, settings, now=NOW).files == []
    # a biller marks it ready again without correcting it: it still does not go out twice
    repositories.set_claim_status(session, claim, ClaimStatus.ready, cause="staff", source_kind="staff")
    session.commit()
    again = build_claims(session, settings, now=NOW)
    assert again.files == []
    assert again.skipped[0].claim == claim.claim_number and "already submitted" in again.skipped[0].reason
    assert session.scalar(select(func.count()).select_from(ClaimSubmission)) == 1


def test_replacement_goes_out_with_ref_f8(session: Session, settings: Settings) -> None:
    claim = ready_claim(session, primary_encounter(4))
    build_claims(session, settings, now=NOW)
    corrected = primary_encounter(4, frequency=ClaimFrequency.replacement, payer_claim_number="PAYER-ICN-9")
    corrected.lines[0].charge = corrected.lines[0].charge + 1
    repositories.save_encounter(session, corrected, source_file="fix.jsonl", source_row=1)
    session.commit()
    session.refresh(claim)
    assert claim.status is ClaimStatus.corrected
    repositories.set_claim_status(session, claim, ClaimStatus.ready, cause="corrected and re-scrubbed",
                                  source_kind="scrub")
    session.commit()
    report = build_claims(session, settings, now=NOW)
    assert len(report.files) == 1
    segs = _segments(report.files[0].path)
    assert ("REF", ["F8", "PAYER-ICN-9"]) in segs
    clm = next(e for i, e in segs if i == "CLM")
    assert clm[4].endswith(":7")
    numbers = session.scalars(select(ClaimSubmission.submission_number).order_by(ClaimSubmission.id)).all()
    assert numbers == [1, 2]
    _assert_clean(report.files[0].path)


def test_control_numbers_persist_across_runs(session: Session, settings: Settings) -> None:
    ready_claim(session, primary_encounter(6))
    first = build_claims(session, settings, now=NOW)
    ready_claim(session, primary_encounter(8))
    second = build_claims(session, settings, now=NOW)
    assert int(second.files[0].interchange_control_number) == int(first.files[0].interchange_control_number) + 1
    groups = session.scalars(select(X12TransactionRecord.group_control_number)).all()
    controls = session.scalars(select(X12TransactionRecord.transaction_control_number)).all()
    assert len(set(groups)) == len(groups) and len(set(controls)) == len(controls)


def test_transactions_respect_the_clearinghouse_limit(session: Session, settings: Settings, tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(settings.rules_dir, rules, ignore=shutil.ignore_patterns("codesets", "ncci", "scrub", "crosswalk"))
    config = yaml.safe_load((rules / "clearinghouses.yaml").read_text())
    config["clearinghouses"]["default"]["max_claims_per_transaction"] = 2
    (rules / "clearinghouses.yaml").write_text(yaml.safe_dump(config))
    limited = settings.model_copy(update={"rules_dir": rules})
    # same billing provider for all: shapes with the same index modulo give different providers, so use copies
    base = primary_encounter(10)
    for n in range(5):
        enc = base.model_copy(deep=True)
        enc.encounter_id = f"LIMIT{n}"
        ready_claim(session, enc)
    report = build_claims(session, limited, now=NOW)
    assert report.files[0].transactions == 3
    assert sorted(session.scalars(select(X12TransactionRecord.claim_count)).all()) == [1, 2, 2]
    _assert_clean(report.files[0].path)


def test_a_failed_write_records_nothing(session: Session, settings: Settings,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    claim = ready_claim(session, primary_encounter(12))

    def broken(folder: Path, name: str, content: bytes) -> Path:
        raise OSError("disk full")

    monkeypatch.setattr(submission, "write_atomically", broken)
    with pytest.raises(OSError):
        build_claims(session, settings, now=NOW)
    session.refresh(claim)
    assert claim.status is ClaimStatus.ready
    assert session.scalar(select(func.count()).select_from(X12FileRecord)) == 0


def test_a_failed_commit_withdraws_the_file(session: Session, settings: Settings,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    ready_claim(session, primary_encounter(14))
    dropped: list[Path] = []
    real_write = submission.write_atomically

    def spy(folder: Path, name: str, content: bytes) -> Path:
        path = real_write(folder, name, content)
        dropped.append(path)
        monkeypatch.setattr(session, "commit", _failing_commit)
        return path

    def _failing_commit() -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(submission, "write_atomically", spy)
    with pytest.raises(StoreError):
        build_claims(session, settings, now=NOW)
    assert dropped and not dropped[0].exists()
    assert list(dropped[0].parent.iterdir()) == []


def test_unbuildable_claim_goes_back_to_the_worklist(session: Session, settings: Settings) -> None:
    enc = primary_encounter(17)  # institutional: X223A2 needs the billing provider's ZIP+4
    assert enc.claim_type.value == "institutional"
    assert enc.billing_provider is not None and enc.billing_provider.address is not None
    enc.billing_provider.address.zip = "02110"
    claim = ready_claim(session, enc)
    report = build_claims(session, settings, now=NOW)
    assert report.files == []
    assert report.skipped[0].claim == claim.claim_number and "ZIP+4" in report.skipped[0].reason
    session.refresh(claim)
    assert claim.status is ClaimStatus.held and "ZIP+4" in (claim.hold_reason or "")


def test_secondary_claim_carries_the_primary_adjudication(session: Session, settings: Settings) -> None:
    primary = ready_claim(session, primary_encounter(20))
    build_claims(session, settings, now=NOW)
    post_primary_payment(session, primary)
    queue_next_payer(session, primary)
    report = build_claims(session, settings, now=NOW)
    assert len(report.files) == 1 and report.files[0].claims == 1
    secondary = repositories.find_claim(session, primary.claim_number + "-S")
    assert secondary is not None and secondary.status is ClaimStatus.submitted
    segs = _segments(report.files[0].path)
    ids = [i for i, _ in segs]
    assert "SVD" in ids and "CAS" in ids and ("AMT", ["D", _amount(primary)]) in segs
    sbr = [e for i, e in segs if i == "SBR"]
    assert sbr[0][0] == "S" and sbr[1][0] == "P"
    _assert_clean(report.files[0].path)


def _amount(primary: object) -> str:
    from decimal import Decimal

    from rcm.claims.elements import amount

    lines = primary.lines  # type: ignore[attr-defined]
    return amount(sum(((ln.charge * Decimal("0.7")).quantize(Decimal("0.01")) for ln in lines), Decimal("0")))


def test_concurrent_runs_send_each_claim_once(session: Session, settings: Settings) -> None:
    import threading

    from rcm.store.database import session_factory

    for i in (60, 62, 64):
        ready_claim(session, primary_encounter(i))
    engine = session.get_bind()
    reports: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        with session_factory(engine)() as own:  # type: ignore[arg-type]
            try:
                reports.append(len(build_claims(own, settings, now=NOW).files))
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(reports) == [0, 1]
    assert session.scalar(select(func.count()).select_from(ClaimSubmission)) == 3


def test_crossover_claims_are_held_not_sent_twice(session: Session, settings: Settings) -> None:
    from rcm.store.tables import SecondaryClaimQueue

    primary = ready_claim(session, primary_encounter(22))
    build_claims(session, settings, now=NOW)
    session.add(SecondaryClaimQueue(
        claim_id=primary.id,
        reason="the payer processed the claim and forwarded it to another payer (CLP02 19)"))
    session.commit()
    report = build_claims(session, settings, now=NOW)
    assert report.files == []
    secondary = repositories.find_claim(session, primary.claim_number + "-S")
    assert secondary is not None and secondary.status is ClaimStatus.held
    assert "crossover" in (secondary.hold_reason or "")
    assert session.scalars(select(SecondaryClaimQueue.built)).all() == [True]
    # building again creates nothing new
    build_claims(session, settings, now=NOW)
    assert len(repositories.claims_for_encounter(session, primary.encounter_id)) == 2


def test_a_file_our_validator_rejects_is_never_dropped(session: Session, settings: Settings,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from rcm.claims import transaction
    from rcm.errors import StateError

    claim = ready_claim(session, primary_encounter(24))
    real = transaction.transaction_segments

    def without_bht(*args: object, **kwargs: object) -> list[object]:
        return [s for s in real(*args, **kwargs) if s[0] != "BHT"]  # type: ignore[arg-type]

    monkeypatch.setattr(submission, "transaction_segments", without_bht)
    with pytest.raises(StateError, match="failed validation"):
        build_claims(session, settings, now=NOW)
    assert not (settings.data_dir / "outbound" / "default").exists() or not any(
        (settings.data_dir / "outbound" / "default").iterdir())
    session.refresh(claim)
    assert claim.status is ClaimStatus.ready
