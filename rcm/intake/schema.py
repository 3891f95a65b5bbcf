"""The JSON Schema of one export line, generated from rcm.domain.Encounter (committed as docs/encounter.schema.json)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from rcm.domain import Encounter

__all__ = ["SCHEMA_ID", "encounter_json_schema", "render_schema", "write_schema"]

SCHEMA_ID = "https://github.com/rcm/rcm/docs/encounter.schema.json"


def encounter_json_schema() -> dict[str, Any]:
    """What one JSONL line (one encounter) may contain: the validation schema of the domain model."""
    schema = Encounter.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Encounter (one line of the EMR export, JSON Lines)",
        "description": (
            "Generated from rcm.domain.Encounter by rcm.intake.schema; do not edit by hand. "
            "Codes are checked for shape only (ICD-10-CM, CPT/HCPCS, modifiers, 10-digit NPI starting 1 or 2); "
            "billing validity is reported by the scrubber. Dates are YYYY-MM-DD; money is a string or an exact "
            "number with at most two decimals. See docs/intake.md."
        ),
        **{k: v for k, v in schema.items() if k not in ("title", "description")},
    }


def render_schema() -> str:
    """The schema as committed: sorted keys, two-space indent, trailing newline."""
    return json.dumps(encounter_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_schema(path: Path) -> None:
    path.write_text(render_schema(), encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover - `python -m rcm.intake.schema docs/encounter.schema.json`
    write_schema(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/encounter.schema.json"))
