"""DynamoDB adapters of accounts: users (and their events) and sign-in sessions, in the Users table."""
