"""The one-port gateway: REST and WebSocket APIs from the template, @connections, front end, /health."""
