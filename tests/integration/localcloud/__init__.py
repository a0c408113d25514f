"""Integration tests of the embedded local cloud (moto + correctness layer + runtime)."""
