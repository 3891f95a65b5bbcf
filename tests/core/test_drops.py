"""File drops appear whole or not at all, never replace a waiting file, and unreadable input says why."""

from __future__ import annotations

from pathlib import Path

import pytest

from rcm.drops import read_input, remove_dropped, replace_file, write_new_file
from rcm.errors import StateError, UnreadableFileError


def test_a_taken_name_gets_a_number_and_nothing_hidden_stays(tmp_path: Path) -> None:
    first = write_new_file(tmp_path / "out", "999_1.x12", b"A")
    second = write_new_file(tmp_path / "out", "999_1.x12", b"B")
    assert (first.name, second.name) == ("999_1.x12", "999_1_2.x12")
    assert first.read_bytes() == b"A" and second.read_bytes() == b"B"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["999_1.x12", "999_1_2.x12"]


def test_refuse_keeps_the_waiting_file(tmp_path: Path) -> None:
    write_new_file(tmp_path, "837_1.x12", b"ISA")
    with pytest.raises(StateError):
        write_new_file(tmp_path, "837_1.x12", b"other", if_taken="refuse")
    assert (tmp_path / "837_1.x12").read_bytes() == b"ISA"
    assert [p.name for p in tmp_path.iterdir()] == ["837_1.x12"]


def test_a_failed_write_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    def broken(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError):
        write_new_file(tmp_path, "a.x12", b"ISA")
    assert list(tmp_path.iterdir()) == []


def test_replace_and_remove(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.json"
    replace_file(ledger, b"{}")
    replace_file(ledger, b'{"a": 1}')
    assert ledger.read_bytes() == b'{"a": 1}'
    remove_dropped(ledger)
    remove_dropped(ledger)  # taking back twice is fine
    assert not ledger.exists()


def test_unreadable_input_says_why(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError, match="no such file"):
        read_input(tmp_path / "missing.835")
    with pytest.raises(UnreadableFileError, match="directory"):
        read_input(tmp_path)
