"""The HTTP and WebSocket surface (CONTRACT.md and docs/api.md): thin over the services."""
