"""Shared small synthetic histories and a trained model for the denial tests (built once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rcm.denials.model import TrainedModel, train_model
from rcm.denials.records import ClaimAtSubmission, ClaimOutcome, from_synth_history
from rcm.payer_sim import SynthConfig, SynthHistory, generate_history


@pytest.fixture(scope="session")
def small_history() -> SynthHistory:
    """Four months of a small practice (about 1,700 claims)."""
    return generate_history(SynthConfig(months=4, seed=42, encounters_per_month=400))


@pytest.fixture(scope="session")
def small_data(small_history: SynthHistory) -> tuple[list[ClaimAtSubmission], dict[str, ClaimOutcome]]:
    return from_synth_history(small_history)


@pytest.fixture(scope="session")
def small_model(small_data: tuple[list[ClaimAtSubmission], dict[str, ClaimOutcome]]) -> TrainedModel:
    claims, outcomes = small_data
    return train_model(claims, outcomes)


@pytest.fixture()
def models_dir(tmp_path: Path) -> Path:
    return tmp_path / "models"
