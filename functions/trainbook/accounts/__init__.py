"""Accounts: users, passwords, access tokens, roles, and the Lambda authorizer in front of the API."""
