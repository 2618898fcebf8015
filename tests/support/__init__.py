"""Shared test helpers: real server processes, a real PostgreSQL, generated hall configs."""
