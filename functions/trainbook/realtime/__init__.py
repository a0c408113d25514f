"""Live updates over WebSocket: connections, subscriptions by topic, and the broadcaster."""
