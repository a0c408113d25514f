"""End-to-end tests: `trainbook up` served on one port, driven over HTTP and WebSocket."""
