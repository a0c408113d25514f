"""Payment simulator: a separate function that behaves like a card PSP (authorize, capture, void, refund)."""
