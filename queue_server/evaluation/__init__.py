"""好差评 around the pure core (`core/evaluation.py`): its configuration (`settings`), tables
(`tables`), service verbs (`service`, `cases`) and the provincial upload outbox (`upload`).
docs/evaluation.md tells the whole loop."""
