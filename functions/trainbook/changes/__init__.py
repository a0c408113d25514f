"""Schedule changes: delays, cancellations, platform changes and new or removed services of train runs."""
