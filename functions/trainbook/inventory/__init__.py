"""Seat inventory: who holds or has bought each leg of each seat of a train run."""
