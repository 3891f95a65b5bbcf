"""One benchmark stage on one file, run in a child process: `python -m bench.stages STAGE FILE [REPEAT]`.

Prints one JSON object: best CPU seconds (user + system of this process) and best wall seconds over the
repeats, the process's peak RSS (ru_maxrss) and its RSS after imports, so that every stage is measured alone.
Rates are computed on CPU time: on a shared machine, wall time mostly measures the neighbours.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

__all__ = ["STAGES", "run_stage"]


def _naive_split(path: Path) -> int:
    """The floor: read, decode, split into segments and elements, nothing else."""
    text = path.read_bytes().decode("latin-1")
    element, terminator = text[3], text[105]
    count = 0
    for raw in text.split(terminator):
        fields = raw.strip().split(element)
        count += len(fields)
    return count


def _tokenize(path: Path) -> int:
    from rcm.x12.tokenizer import iter_segments

    return sum(1 for _ in iter_segments(path))


def _claims_read(path: Path, **how: bool) -> int:
    from rcm.x12.reader import read_transactions

    claims = 0
    for tx in read_transactions(path, **how):
        # Each model is counted and dropped as a streaming consumer would (holding the previous model while the
        # next transaction is read only measures that extra memory).
        claims += len(getattr(tx.model, "claims", ()) or ())
    return claims


def _parse_models(path: Path) -> int:
    """The full parse into typed models, as a reader that wants the models reads: each claim's segments let go
    once it is read (``keep_segments=False``: the models are the same, tests/x12/test_x12_models_read.py)."""
    return _claims_read(path, models=True, keep_segments=False)


def _parse_kept(path: Path) -> int:
    """The same models read the plain way, every segment and loop tree of a transaction kept until it is
    dropped (what validation, the 999 and posting read): for comparison, not a target."""
    return _claims_read(path)


def _validate(path: Path) -> int:
    from rcm.x12.validation import validate_file

    return len(validate_file(path))


def _pyx12(path: Path) -> int:
    from rcm.x12.pyx12_oracle import pyx12_findings

    return len(pyx12_findings(path).findings)


STAGES: dict[str, Callable[[Path], int]] = {
    "naive_split": _naive_split,
    "tokenizer": _tokenize,
    "parse_models": _parse_models,
    "parse_kept": _parse_kept,
    "validate": _validate,
    "pyx12_validate": _pyx12,
}


def _current_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_stage(stage: str, path: Path, repeat: int) -> dict[str, object]:
    work = STAGES[stage]
    # imports happen here, before the clock and the baseline
    {
        "tokenizer": lambda: __import__("rcm.x12.tokenizer"),
        "parse_models": lambda: __import__("rcm.x12.reader"),
        "parse_kept": lambda: __import__("rcm.x12.reader"),
        "validate": lambda: __import__("rcm.x12.validation"),
        "pyx12_validate": lambda: __import__("pyx12.x12n_document"),
    }.get(stage, lambda: None)()
    baseline = _current_rss_mb()
    best = best_wall = float("inf")
    result = 0
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = work(path)
        best = min(best, time.process_time() - start_cpu)
        best_wall = min(best_wall, time.perf_counter() - start)
    return {
        "stage": stage,
        "seconds": best,
        "wall_seconds": best_wall,
        "result": result,
        "baseline_rss_mb": round(baseline, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


if __name__ == "__main__":
    name, file = sys.argv[1], Path(sys.argv[2])
    times = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    print(json.dumps(run_stage(name, file, times)))
