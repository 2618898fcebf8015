"""The pure queue core: numbering, ranking, state changes, hours and estimates. No I/O, no clock:
every function takes `now` and returns what changes, so it can be tested exhaustively."""
