"""CloudWatch Logs subscription filters: a function's matching log lines, spooled and shipped to a Lambda."""
