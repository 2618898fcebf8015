"""Events after commit: the hub that fans them out to streams, behind an interface a broker can
implement when several server processes share one PostgreSQL."""
