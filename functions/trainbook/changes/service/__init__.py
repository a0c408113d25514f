"""Use cases of schedule changes: recording them, an operator's changes by hand, and what follows them."""
