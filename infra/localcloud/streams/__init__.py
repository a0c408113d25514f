"""Stream triggers: the local cloud polls DynamoDB streams and invokes functions, as Lambda does."""
