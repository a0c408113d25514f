"""A read replica of the engine's DynamoDB tables that answers reads (docs/local-cloud.md)."""
