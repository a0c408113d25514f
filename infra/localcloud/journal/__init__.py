"""Crash-safe persistence of the engine's data: a journal of committed changes (SQLite WAL)."""
