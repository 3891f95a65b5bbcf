"""Tests of the store: schema, migrations, types and repositories (SQLite, or PostgreSQL via RCM_DATABASE_URL)."""
