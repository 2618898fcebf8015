"""Transactional verbs, one module per domain: what happens when a ticket is issued, called,
acted on; reservations; devices; staff sessions. The HTTP layer stays thin over these."""
