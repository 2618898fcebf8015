"""Identification of citizens (鲁通码, ID card, social security card, face, SMS code, typed
identity number) into short-lived, single-use identity sessions; see docs/identity.md."""
