"""Durable storage: the schema, migrations, the single writer, and loading hall state back."""
