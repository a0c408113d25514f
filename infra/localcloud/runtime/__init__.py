"""Lambda runtime: functions from the template run in warm Python worker processes."""
