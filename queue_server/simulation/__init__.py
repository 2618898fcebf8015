"""The what-if simulator for window planning (docs/simulator.md): a day of a hall under a window
plan, run by the production queue engine (`core.engine`) over simulated time.

Pure core (no I/O, deterministic for a seed):
- `plan` — the window plan (shifts, breaks, 错时 lunch, tidal moves, ticket-taking hours), checked;
- `forecast` — tickets per hour per queue, and the arrivals a seed draws from it;
- `behaviour` — service times, skips, requeues, transfers, leaving, staff turnaround;
- `record` — a recorded day rebuilt from the hall's history, the plan it ran;
- `learning` — the behaviour model and the forecast learnt from recorded days;
- `simulator` — the day itself; `report` — waits per queue and hour, utilisation, comparisons;
- `planner` — window moves that bring every queue under a target p90 wait.

Adapters (`adapters/`): plan/forecast/model files, the history read from the database, the
recorder that writes simulated days through the server's services, the CLI and the process pool.
"""
