"""A read replica of the engine's DynamoDB tables for eventually consistent reads (docs/local-cloud.md)."""
