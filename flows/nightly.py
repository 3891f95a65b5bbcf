"""The nightly claim run as a Prefect flow: it only orders the steps; the work is in rcm.nightly.

    python -m flows.nightly --sample            # the bundled sample, with the simulated clearinghouse (make demo)
    python -m flows.nightly --export FILE.jsonl # a real export; answers are read from the inbound drop
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# The temporary server's first start migrates its own database; on a busy 2-core machine 20 s is not enough.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
if os.environ.get("PREFECT_HOME"):
    # Prefect creates only the last folder of its home; a fresh clone has no ./var yet.
    Path(os.environ["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)

from prefect import Task, flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from rcm import nightly

# Retries only around I/O (reading and writing the drops), never around validation or scrubbing. No result
# caching: every step reads and changes the database, so yesterday's answer is never today's.
P = ParamSpec("P")
R = TypeVar("R")


def _step(name: str, *, io: bool = False) -> Callable[[Callable[P, R]], Task[P, R]]:
    if io:
        return task(cache_policy=NO_CACHE, name=name, retries=2, retry_delay_seconds=5)
    return task(cache_policy=NO_CACHE, name=name)


ingest = _step("ingest EMR export")(nightly.ingest_export)
eligibility = _step("eligibility inquiries (270)", io=True)(nightly.request_eligibility)
payers_answer = _step("simulated payers answer 270s", io=True)(nightly.answer_eligibility_as_payers)
receive = _step("read inbound files", io=True)(nightly.process_inbound)
scrub = _step("scrub claims")(nightly.scrub_claims)
bootstrap_model = _step("first denial model")(nightly.bootstrap_denial_model)
score = _step("score denial risk")(nightly.score_denial_risk)
build = _step("build 837 files", io=True)(nightly.build_claim_files)
respond = _step("simulated clearinghouse", io=True)(nightly.respond_as_clearinghouse)
# No Prefect retries around the transfers: rcm.transport retries the connection with its own bounded backoff and
# reports (never raises) what is left for the next run.
fetch = _step("fetch from clearinghouses")(nightly.fetch_from_clearinghouses)
send = _step("send to clearinghouses")(nightly.send_to_clearinghouses)


@flow(name="nightly-claim-run", log_prints=True)
def nightly_claim_run(
    export: str | None = None,
    export_format: str = "jsonl",
    simulate_clearinghouse: bool = False,
    bootstrap: bool = False,
    as_of: date | None = None,
) -> dict[str, Any]:
    """Ingest, ask eligibility, fetch and read what came back, scrub, score, build the 837s and send what waits
    for SFTP clearinghouses (and, in the demo, let the simulated clearinghouse and payers answer, and read their
    answers)."""
    run = nightly.open_run()
    summary: dict[str, Any] = {}
    if export:
        summary["ingest"] = ingest(run, Path(export), export_format)
    summary["eligibility"] = eligibility(run)
    if simulate_clearinghouse:
        summary["payer_271"] = payers_answer(run)
    summary["fetch"] = fetch(run)
    summary["inbound_before"] = receive(run)
    summary["scrub"] = scrub(run, as_of=as_of)
    if bootstrap:
        summary["model"] = bootstrap_model(run)
    summary["risk"] = score(run)
    summary["claims"] = build(run)
    summary["send"] = send(run)
    if simulate_clearinghouse:
        summary["clearinghouse"] = respond(run, today=as_of)
        summary["inbound_after"] = receive(run)
    lines = nightly.summary_lines(summary)
    create_markdown_artifact("\n".join(f"- {line}" for line in lines), key="nightly-summary",
                             description="Nightly claim run summary")
    for line in lines:
        print(line)
    run.engine.dispose()
    return summary


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", action="store_true", help="use the bundled sample export and simulate the payer")
    parser.add_argument("--export", type=Path, help="an EMR export to ingest first")
    parser.add_argument("--format", default="jsonl", choices=["jsonl", "csv", "synthea"])
    args = parser.parse_args(argv)
    export = nightly.sample_export_path() if args.sample else args.export
    nightly_claim_run(
        export=str(export) if export else None,
        export_format=args.format,
        simulate_clearinghouse=args.sample,
        bootstrap=args.sample,
        as_of=nightly.SAMPLE_EXPORT_DATE if args.sample else None,
    )


if __name__ == "__main__":
    main()
