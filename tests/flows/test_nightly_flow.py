"""The nightly flow on the bundled sample, under a real (temporary) Prefect server: every step runs, re-running
creates nothing twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from rcm.config import get_settings


@pytest.fixture
def data_dir(database_url: str, tmp_path: Path) -> Path:
    """A private data folder and an empty database of its own (see tests/conftest.py)."""
    return tmp_path / "data"


@pytest.mark.prefect
def test_nightly_flow_on_the_sample_then_again(prefect_harness: None, data_dir: Path) -> None:
    from flows.nightly import nightly_claim_run
    from rcm import nightly

    first = nightly_claim_run(
        export=str(nightly.sample_export_path()),
        simulate_clearinghouse=False,
        as_of=nightly.SAMPLE_EXPORT_DATE,
    )
    ingest = first["ingest"]
    assert ingest["read"] == ingest["accepted"] + ingest["quarantined"] + ingest["duplicates"]
    assert ingest["accepted"] > 200 and ingest["quarantined"] > 0
    assert first["scrub"]["claims"] == ingest["accepted"]
    assert first["scrub"]["held"] > 0  # the sample carries scrubber cases on purpose
    files = first["claims"]["files"]
    assert len(files) == 1 and files[0]["claims"] > 0
    outbound = get_settings().outbound_dir
    assert [p for p in outbound.rglob("*") if p.is_file()], "the 837 file is in the outbound drop"

    second = nightly_claim_run(export=str(nightly.sample_export_path()), as_of=nightly.SAMPLE_EXPORT_DATE)
    assert second["ingest"]["accepted"] == 0
    assert second["ingest"]["duplicates"] == ingest["accepted"] + ingest["duplicates"]
    assert second["claims"]["files"] == []  # nothing goes out twice
