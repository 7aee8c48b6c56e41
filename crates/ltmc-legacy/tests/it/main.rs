//! Integration tests of ltmc-legacy on fixtures written by the real tools:
//! SQLite databases with the original schema and indexes written by PyPI
//! `faiss-cpu` and Python's pickle (`tests/fixtures/make_legacy.py`, run by
//! `scripts/legacy-fixtures`). The fixture directory comes from
//! `LTMC_LEGACY_FIXTURES`, or the tests run the script themselves when
//! `LTMC_LEGACY_PYTHON=1`; without either they say so and pass, as the
//! Python-dependent tests of this workspace do.

mod fixtures;
mod read;
