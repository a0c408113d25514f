"""Event store: append-only streams of immutable events, with optimistic concurrency, replay and as-of."""
