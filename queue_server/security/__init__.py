"""Secrets, hashes and masking: the one boundary where personal data is transformed."""
