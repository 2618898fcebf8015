"""`python -m queue_server simulate …`: run, compare and plan window plans; learn the model and
the forecast from a hall's database; write a plan template; seed a demo hall with history.

    simulate run      --config C [--plan P] (--forecast F | --database URL --replay-day D) …
    simulate compare  --config C --plan P1 --plan P2 [--plan P3 …] (--forecast F | --replay-day D …)
    simulate plan     --config C [--plan P] --forecast F --staff N --target-p90 MIN [--out PLAN]
    simulate learn    --config C --database URL [--since D] [--until D] --model-out M [--forecast-out F]
    simulate template --config C [--date D]
    simulate seed-history --config C --database URL --plan P --forecast F --days N [--until D]

Exit codes: 0 done, 2 bad input (the message names the file, line and key), 3 database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any

COMMAND = "simulate"


def add_command(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(COMMAND, help="the what-if simulator for window plans (docs/simulator.md)")
    actions = parser.add_subparsers(dest="action", required=True)

    def common(name: str, help_text: str) -> argparse.ArgumentParser:
        action: argparse.ArgumentParser = actions.add_parser(name, help=help_text)
        action.add_argument("--config", required=True, help="the hall configuration (TOML)")
        action.add_argument("--hall", help="the hall's id (default: the file's only or first hall)")
        action.add_argument("--quiet", action="store_true", help="no progress on stderr")
        return action

    def day_inputs(action: argparse.ArgumentParser) -> None:
        action.add_argument("--forecast", help="tickets per hour by queue (TOML or JSON)")
        action.add_argument("--scale", type=float, default=1.0, help="citizens × this (a peak day: 1.3)")
        action.add_argument("--database", help="the hall's database, for --replay-day")
        action.add_argument("--replay-day", type=dt.date.fromisoformat, help="replay this recorded day's citizens")
        action.add_argument("--model", help="the behaviour model from `simulate learn` (default: the config's)")
        action.add_argument("--seed", type=int, default=1)
        action.add_argument("--date", type=dt.date.fromisoformat, help="the day simulated (default: today)")
        action.add_argument("--json", help="write the result as JSON here ('-': stdout)")
        action.add_argument("--csv", help="write per queue and hour rows as CSV here ('-': stdout)")

    run = common("run", "simulate one day under a plan")
    run.add_argument("--plan", help="the window plan (default: every window, the hall's hours)")
    run.add_argument("--hours", action="store_true", help="also print the table by hour")
    day_inputs(run)
    compare = common("compare", "two or more plans on the same day, side by side")
    compare.add_argument("--plan", action="append", required=True, help="a plan (give two or more)")
    compare.add_argument("--workers", type=int, default=2, help="processes (at most 2)")
    day_inputs(compare)
    plan = common("plan", "suggest window moves that bring every queue under a target p90 wait")
    plan.add_argument("--plan", help="the plan to improve (default: every window, the hall's hours)")
    plan.add_argument("--staff", type=int, required=True, help="people available to staff windows")
    plan.add_argument("--target-p90", type=float, required=True, help="minutes")
    plan.add_argument("--max-suggestions", type=int, default=8)
    plan.add_argument("--days-judged", type=int, default=3, help="forecast days each plan is judged on (seeds seed, seed+1, …)")
    plan.add_argument("--out", help="write the improved plan here (TOML or JSON)")
    plan.add_argument("--workers", type=int, default=2, help="processes (at most 2)")
    day_inputs(plan)
    learn = common("learn", "learn the behaviour model and the forecast from the hall's database")
    learn.add_argument("--database", required=True)
    learn.add_argument("--since", type=dt.date.fromisoformat)
    learn.add_argument("--until", type=dt.date.fromisoformat)
    learn.add_argument("--model-out", required=True, help="JSON")
    learn.add_argument("--forecast-out", help="TOML or JSON")
    template = common("template", "print a plan of every window over the hall's hours, to edit")
    template.add_argument("--date", type=dt.date.fromisoformat)
    seed = common("seed-history", "write simulated days into the hall's database through the server")
    seed.add_argument("--database", required=True)
    seed.add_argument("--data-dir", help="the server's data folder (default ./data)")
    seed.add_argument("--plan")
    seed.add_argument("--forecast", required=True)
    seed.add_argument("--model")
    seed.add_argument("--days", type=int, default=5)
    seed.add_argument("--until", type=dt.date.fromisoformat, help="the last day (default: yesterday)")
    seed.add_argument("--seed", type=int, default=1)


def run(args: argparse.Namespace) -> int:
    from ...config import ConfigError, load_config
    from ..problems import InputError

    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"error: config: {exc}", file=sys.stderr)
        return 2
    hall = config.hall(args.hall) if args.hall else config.halls[0]
    if hall is None:
        print(f"error: no hall {args.hall!r} in {args.config}", file=sys.stderr)
        return 2
    try:
        return _ACTIONS[args.action](args, config, hall)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except _DatabaseProblem as exc:
        print(f"error: database: {exc}", file=sys.stderr)
        return 3


class _DatabaseProblem(Exception):
    pass


class _Progress:
    """Progress on stderr: one line rewritten on a terminal, else a line per quarter."""

    def __init__(self, label: str, quiet: bool):
        self.label = label
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.shown = -1
        self.started = time.monotonic()

    def __call__(self, fraction: float) -> None:
        if self.quiet:
            return
        percent = int(fraction * 100)
        step = 1 if self.tty else 25
        if percent // step == self.shown // step and self.shown >= 0:
            return
        self.shown = percent
        text = f"{self.label}: {percent:3d}% ({time.monotonic() - self.started:.1f} s)"
        sys.stderr.write(("\r" + text) if self.tty else text + "\n")
        sys.stderr.flush()

    def done(self) -> None:
        if not self.quiet and self.tty and self.shown >= 0:
            sys.stderr.write("\n")

    def count(self, done: int, total: int) -> None:
        self(done / total)


# -- inputs ---------------------------------------------------------------------------------


def _date(args: argparse.Namespace, hall: Any) -> dt.date:
    return args.date or args.replay_day or dt.datetime.now(hall.zone).date()


def _plan(path: str | None, hall: Any, date: dt.date) -> Any:
    from ..adapters import files
    from ..plan import config_plan, hall_sessions, parse_plan
    from ..problems import InputError, Problem

    if path:
        return files.read(path, parse_plan, hall)
    sessions = hall_sessions(hall, date)
    if not sessions:
        raise InputError(f"hall {hall.id}", [Problem("hours", f"the hall is closed on {date}: give a --plan")])
    return config_plan(hall, sessions, "every window, the hall's hours 全部窗口")


def _model(args: argparse.Namespace, hall: Any) -> Any:
    from ..adapters import files
    from ..behaviour import config_model, parse_model

    return files.read(args.model, parse_model, hall) if args.model else config_model(hall)


def _day_and_people(args: argparse.Namespace, hall: Any, date: dt.date, model: Any) -> tuple[Any, Any]:
    """The citizens (from the forecast, or a recorded day) and how they behave (drawn from the
    model, or as recorded)."""
    from ..behaviour import Sampler
    from ..forecast import generate
    from ..problems import InputError, Problem

    if args.replay_day:
        if not args.database:
            raise InputError("--replay-day", [Problem("--database", "a recorded day needs the hall's --database")])
        recorded = _load_days(args.database, hall, [args.replay_day])[0]
        if not recorded.tickets:
            raise InputError("--replay-day", [Problem("", f"no tickets recorded on {args.replay_day}: an empty day")])
        return recorded.day(), recorded.replay(Sampler(model, args.seed))
    return generate(_forecast(args, hall), date, args.seed), Sampler(model, args.seed)


def _forecast(args: argparse.Namespace, hall: Any) -> Any:
    """The --forecast file, times --scale."""
    from ..adapters import files
    from ..forecast import parse_forecast
    from ..problems import InputError, Problem

    if not args.forecast:
        raise InputError("the day", [Problem("--forecast", "give a --forecast, or --database with --replay-day")])
    forecast = files.read(args.forecast, parse_forecast, hall)
    if not 0 < args.scale <= 10:
        raise InputError("--scale", [Problem("--scale", "a factor above 0, at most 10")])
    return forecast.scaled(args.scale)


def _load_days(url: str, hall: Any, days: list[dt.date] | None) -> list[Any]:
    from sqlalchemy.exc import SQLAlchemyError

    from ...storage.database import open_engine
    from ..adapters import history

    try:
        engine = open_engine(url, durability="normal", writer=False)
        try:
            with engine.connect() as conn:
                return history.load_days(conn, hall, days if days is not None else history.service_days(conn, hall.id))
        finally:
            engine.dispose()
    except SQLAlchemyError as exc:
        raise _DatabaseProblem(f"{url}: {exc.__class__.__name__}") from None


def _write_outputs(args: argparse.Namespace, document: Any, reports: list[Any]) -> None:
    from ..adapters import output

    if args.json:
        output.write_json(args.json, document)
    if args.csv:
        output.write_csv(args.csv, reports)


# -- actions --------------------------------------------------------------------------------


def _run(args: argparse.Namespace, config: Any, hall: Any) -> int:
    from ..adapters import output
    from ..report import report
    from ..simulator import simulate

    date = _date(args, hall)
    plan = _plan(args.plan, hall, date)
    day, people = _day_and_people(args, hall, date, _model(args, hall))
    progress = _Progress(f"simulating {len(day.arrivals)} tickets", args.quiet)
    started = time.perf_counter()
    result = simulate(hall, plan, day, people, progress=progress)
    progress.done()
    rep = report(result, hall)
    if args.json != "-" and args.csv != "-":
        print(output.render_report(rep, hours=args.hours))
        print(f"({len(day.arrivals)} tickets simulated in {time.perf_counter() - started:.2f} s)")
    _write_outputs(args, rep.document(), [rep])
    return 0


def _compare(args: argparse.Namespace, config: Any, hall: Any) -> int:
    from ..adapters import output
    from ..adapters.pool import PlanPool
    from ..behaviour import Replay
    from ..problems import InputError, Problem
    from ..report import Comparison, report
    from ..simulator import simulate

    if len(args.plan) < 2:
        raise InputError("--plan", [Problem("--plan", "compare needs two plans or more")])
    date = _date(args, hall)
    plans = [_plan(p, hall, date) for p in args.plan]
    model = _model(args, hall)
    day, people = _day_and_people(args, hall, date, model)
    progress = _Progress(f"{len(plans)} plans, {len(day.arrivals)} tickets each", args.quiet)
    if isinstance(people, Replay) or args.workers <= 1 or len(plans) <= 2:
        reports = []
        for done, plan in enumerate(plans, start=1):
            reports.append(report(simulate(hall, plan, day, people), hall))
            progress(done / len(plans))
    else:
        with PlanPool(hall, day, model, args.seed, workers=args.workers, progress=progress.count) as pool:
            reports = pool.evaluate(plans)
    progress.done()
    comparison = Comparison(tuple(reports))
    if args.json != "-" and args.csv != "-":
        print(output.render_comparison(comparison))
    _write_outputs(args, comparison.document() | {"reports": [r.document() for r in reports]}, reports)
    return 0


def _advise(args: argparse.Namespace, config: Any, hall: Any) -> int:
    from ..adapters import files, output
    from ..adapters.pool import PlanPool
    from ..forecast import generate
    from ..planner import advise, serial_evaluator
    from ..problems import InputError, Problem

    if not 0 < args.target_p90 <= 600:
        raise InputError("--target-p90", [Problem("--target-p90", "minutes, above 0 and at most 600")])
    if not 1 <= args.staff <= 10_000:
        raise InputError("--staff", [Problem("--staff", "people, from 1")])
    if args.replay_day:
        raise InputError("plan", [Problem("--replay-day", "the planner works on a forecast (--forecast)")])
    if not 1 <= args.days_judged <= 10:
        raise InputError("--days-judged", [Problem("--days-judged", "from 1 to 10 days")])
    date = _date(args, hall)
    plan = _plan(args.plan, hall, date)
    model = _model(args, hall)
    forecast = _forecast(args, hall)
    days = [generate(forecast, date, args.seed + k) for k in range(args.days_judged)]
    progress = _Progress("planning", args.quiet)
    with PlanPool(hall, days, model, args.seed, workers=args.workers) as pool:
        evaluate = pool.evaluate if pool.workers > 1 else serial_evaluator(hall, days, model, args.seed)
        advice = advise(
            hall, plan, days, model, args.seed, target_p90_s=int(args.target_p90 * 60), staff=args.staff,
            max_suggestions=args.max_suggestions, evaluate=evaluate,
        )
    progress.done()
    if args.json != "-":
        print(output.render_advice(advice))
    if args.out:
        files.write_document(args.out, advice.plan.to_document())
    _write_outputs(args, output.advice_document(advice), [advice.before, advice.after])
    return 0


def _learn(args: argparse.Namespace, config: Any, hall: Any) -> int:
    from ..adapters import files, output
    from ..learning import learn_forecast, learn_model
    from ..problems import InputError, Problem

    days = [
        d for d in _load_days(args.database, hall, None)
        if (args.since is None or d.date >= args.since) and (args.until is None or d.date <= args.until)
    ]
    days = [d for d in days if d.tickets]
    if not days:
        raise InputError(args.database, [Problem("", "no recorded days with tickets in that range")])
    model = learn_model(days, hall)
    output.write_json(args.model_out, model.to_document())
    if args.forecast_out:
        forecast = learn_forecast(days, hall)
        files.write_document(args.forecast_out, {"hall": hall.id, **forecast.to_document()})
    tickets = sum(len(d.tickets) for d in days)
    print(f"learnt from {len(days)} days, {tickets} tickets: {args.model_out}"
          + (f", {args.forecast_out}" if args.forecast_out else ""))
    return 0


def _template(args: argparse.Namespace, config: Any, hall: Any) -> int:
    from ..adapters import files

    date = args.date or dt.datetime.now(hall.zone).date()
    plan = _plan(None, hall, date)
    document = {"hall": hall.id, **plan.to_document()}
    sys.stdout.write(files.to_toml(document, f"A plan for {hall.name}: every window over the hall's hours on {date}.\n"
                                             "Edit the shifts, breaks, queues and moves (docs/simulator.md)."))
    return 0


def _seed_history(args: argparse.Namespace, config: Any, hall: Any) -> int:
    import asyncio

    from ...runtime import Runtime
    from ...storage.database import DatabaseError
    from ..adapters import files
    from ..adapters.recorder import SimClock, record_day
    from ..behaviour import Sampler
    from ..clock import midnight
    from ..forecast import generate, parse_forecast

    until = args.until or dt.datetime.now(hall.zone).date() - dt.timedelta(days=1)
    days: list[dt.date] = []
    day = until
    while len(days) < args.days:
        if _plan_sessions_open(hall, day) or args.plan:
            days.append(day)
        day -= dt.timedelta(days=1)
    days.reverse()
    forecast = files.read(args.forecast, parse_forecast, hall)
    model = _model(args, hall)
    clock = SimClock(midnight(days[0], hall.zone))
    try:
        rt = Runtime(config, database_url=args.database, data_dir=Path(args.data_dir or "data").resolve(), clock=clock)
    except DatabaseError as exc:
        raise _DatabaseProblem(str(exc)) from None
    try:
        for number, date in enumerate(days):
            plan = _plan(args.plan, hall, date)
            citizens = generate(forecast, date, args.seed + number)
            progress = _Progress(f"{date}: {len(citizens.arrivals)} tickets", args.quiet)
            summary = asyncio.run(record_day(rt, clock, hall, plan, citizens, Sampler(model, args.seed + number),
                                             progress=progress))
            progress.done()
            print(f"{date}: {summary.issued} tickets issued, {summary.refused} refused, {summary.calls} calls")
    finally:
        rt.close()
    return 0


def _plan_sessions_open(hall: Any, date: dt.date) -> bool:
    from ..plan import hall_sessions

    return bool(hall_sessions(hall, date))


_ACTIONS = {
    "run": _run,
    "compare": _compare,
    "plan": _advise,
    "learn": _learn,
    "template": _template,
    "seed-history": _seed_history,
}
