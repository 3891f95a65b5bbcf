"""The Alembic migration and the ORM tables describe the same schema, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Engine, Integer, MetaData, String, inspect, text

from rcm.errors import StoreError
from rcm.store import current_revision, head_revision, is_up_to_date, make_engine, require_current_schema, upgrade
from rcm.store.tables import Base
from rcm.store.testing import fresh_database


def _differences(engine: Engine, metadata: MetaData) -> list[object]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        return list(compare_metadata(context, metadata))


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with fresh_database(tmp_path_factory.mktemp("migrated")) as engine:
        yield engine


def test_migration_creates_exactly_the_orm_schema(migrated: Engine) -> None:
    assert _differences(migrated, Base.metadata) == []
    tables = set(inspect(migrated).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_the_comparison_does_see_a_difference(migrated: Engine) -> None:
    # Guard against a comparison that can never fail: a column the migration lacks, and a changed type, are reported.
    altered = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.sorted_tables:
        table.to_metadata(altered)
    altered.tables["payers"].append_column(Column("not_migrated", Integer, nullable=True))
    claims = altered.tables["claims"]
    claims.c.claim_number.type = String(41)
    diffs = _differences(migrated, altered)
    kinds = {d[0] if isinstance(d, tuple) else d[0][0] for d in diffs}  # type: ignore[index]
    assert "add_column" in kinds
    assert "modify_type" in kinds


def test_revision_is_head_after_upgrade_and_upgrade_is_repeatable(migrated: Engine) -> None:
    assert current_revision(migrated) == head_revision()
    assert is_up_to_date(migrated)
    upgrade(migrated)  # nothing to do, no error
    assert current_revision(migrated) == head_revision()
    require_current_schema(migrated)


def test_an_empty_database_is_reported_with_the_fix(tmp_path: Path) -> None:
    with fresh_database(tmp_path, migrate=False) as engine:
        assert current_revision(engine) is None
        assert not is_up_to_date(engine)
        with pytest.raises(StoreError, match="rcm db upgrade"):
            require_current_schema(engine)
        upgrade(engine)
        assert is_up_to_date(engine)


def test_a_database_from_a_newer_version_is_refused_clearly(tmp_path: Path) -> None:
    with fresh_database(tmp_path) as engine:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = 'ffffffffffff'"))
        with pytest.raises(StoreError, match="ffffffffffff"):
            upgrade(engine)
        with pytest.raises(StoreError, match="rcm db upgrade"):
            require_current_schema(engine)


def test_an_unreachable_server_is_a_store_error_without_the_password() -> None:
    engine = make_engine("postgresql://rcm:s3cret@127.0.0.1:1/none?connect_timeout=2")
    with pytest.raises(StoreError) as caught:
        current_revision(engine)
    assert "s3cret" not in str(caught.value)
    assert "127.0.0.1" in str(caught.value)
    with pytest.raises(StoreError) as caught:
        upgrade(engine)
    assert "s3cret" not in str(caught.value)


def test_downgrade_to_base_removes_every_table_and_upgrade_restores_them(tmp_path: Path) -> None:
    from alembic import command

    from rcm.store.database import alembic_config

    with fresh_database(tmp_path) as engine:
        config = alembic_config(engine)
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        assert current_revision(engine) is None
        upgrade(engine)
        assert _differences(engine, Base.metadata) == []
