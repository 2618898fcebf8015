"""Rules every device of the hall must agree on, in one place.

Standard library only, and it imports nothing else of the project, so the server, the kiosk, the
screens and the hardware adapters can all depend on it without depending on one another:

- `personal_data`: masking of names, identity numbers and phones (PRODUCT.md's `张*`,
  `3701**********1234`, `138****0000`), and the scrubbing of free text;
- `id_numbers`: GB 11643 resident identity numbers (shape, birth date, check digit);
- `phones`: the mainland mobile-number rule;
- `vocabulary`: the contract's words on the wire (channels, statuses, event types, close codes,
  error codes) as enums and constants;
- `sd_notify`: systemd readiness and watchdog pings.
"""
