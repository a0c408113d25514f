"""Read models (CQRS query side) fed by the Events table's stream, and their replay from the table."""
