"""The REST API: one Powertools resolver, one router per bounded context, errors mapped to HTTP once."""
