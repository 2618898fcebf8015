"""统计分析 routes of the manager's console (docs/manager-console.md, "Statistics"):
`/api/v1/halls/{hall}/manage/statistics…`, a manager of the hall only (no token 401; a clerk, a
device or another hall's manager 403; a bad period, range or group 422).

The report reads the rollups (one read transaction in a worker thread); exports build their CSV
or Excel file in a worker thread too, so a year's workbook never holds up other clients."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from ..config import Hall
from ..core import statistics as stats
from ..core.numbering import service_day
from ..manage import statistics as report
from ..manage import statistics_export as export
from ..runtime import Runtime
from ..services.principals import Principal
from .deps import get_runtime, require, the_hall
from .replies import ERRORS

router = APIRouter(prefix="/api/v1/halls/{hall}/manage", tags=["manager console"], responses=ERRORS)
manager = require("manager")


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Figures(_Open):
    issued: int = Field(description="tickets taken (a reservation's ticket at check-in)")
    served: int = Field(description="tickets finished (办结)")
    no_show: int = Field(description="calls skipped as 过号 (a ticket requeued and skipped again counts twice)")
    transferred: int = Field(description="tickets sent on from a window to another queue")
    cancelled: int
    expired: int = Field(description="left unfinished at the end of their day")
    checked_in: int = Field(description="reservations checked in (tickets issued for a reservation)")
    wait_p50_s: float | None = Field(description="issue to the call that was served: median, from the histogram")
    wait_p90_s: float | None
    wait_max_s: int | None = Field(description="exact")
    wait_mean_s: float | None
    handle_p50_s: float | None = Field(description="the served call to its finish: median, from the histogram")
    handle_p90_s: float | None
    handle_max_s: int | None
    handle_mean_s: float | None
    busy_s: int = Field(description="time at the window: served, skipped and transferred calls")
    no_show_rate: float | None = Field(description="no_show / (served + no_show)")
    utilisation: float | None = Field(default=None, description="windows and clerks: busy_s / the hall's opening time on the days worked")
    days_worked: int | None = None
    reservations_due: int | None = Field(default=None, description="reservations for the range, not cancelled (hall, queue, the reservation channel)")
    reservations_checked_in: int | None = None
    checkin_rate: float | None = None
    evaluations: int | None = Field(default=None, description="first evaluations (追评 not counted again)")
    bad: int | None = Field(default=None, description="差评: 不满意 and 非常不满意")
    bad_rate: float | None = None


class StatisticsRow(Figures):
    key: str = Field(description="the queue, window, clerk, item code or channel ('' : none yet, e.g. not called)")
    name: str
    name_en: str


class SeriesPoint(Figures):
    start: dt.date = Field(description="the period's first day (weeks start on Monday)")
    hour: int | None = Field(description="with period=hour: the local hour")
    label: str


class HourPoint(BaseModel):
    hour: int
    issued: int
    served: int
    no_show: int


class Histogram(BaseModel):
    edges_s: list[int] = Field(description="bucket i holds [edges_s[i], edges_s[i+1]); the last, everything above")
    counts: list[int]


class HallRef(BaseModel):
    id: str
    name: str
    name_en: str


class StatisticsReply(BaseModel):
    hall: HallRef
    from_: dt.date = Field(alias="from")
    to: dt.date
    period: stats.Period
    group: stats.Dimension
    key: str | None
    totals: Figures
    rows: list[StatisticsRow]
    series: list[SeriesPoint]
    hours: list[HourPoint] = Field(description="arrivals and service by local hour of day over the range")
    wait_histogram: Histogram
    handle_histogram: Histogram
    model_config = ConfigDict(populate_by_name=True)


async def statistics_query(
    from_: dt.date | None = Query(default=None, alias="from", description="first service day, YYYY-MM-DD (default: today)"),
    to: dt.date | None = Query(default=None, description="last service day, included (default: from)"),
    period: stats.Period = Query(default=stats.Period.DAY, description="hour (≤ 31 days), day (≤ 366), week, month"),
    group: stats.Dimension = Query(default=stats.Dimension.QUEUE, description="the rows: hall, queue, window, staff, item, channel"),
    key: str | None = Query(default=None, max_length=64,
                            description="the series of one row of the group (default: the whole hall)"),
    hall: Hall = Depends(the_hall),
    rt: Runtime = Depends(get_runtime),
) -> report.Query:
    today = service_day(rt.now(), hall.zone)
    start = from_ or today
    return report.Query(start=start, end=to or start, period=period, group=group, key=key)


@router.get("/statistics", response_model=StatisticsReply, response_model_by_alias=True,
            summary="统计分析: a range of days by period and by queue, window, clerk, item or channel")
async def statistics(
    who: Principal = Depends(manager),
    hall: Hall = Depends(the_hall),
    q: report.Query = Depends(statistics_query),
    rt: Runtime = Depends(get_runtime),
) -> dict[str, Any]:
    return await report.report(rt, hall, q)


@router.get(
    "/statistics/export",
    summary="One table of the statistics page as CSV (UTF-8 with BOM) or Excel (.xlsx)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, export.XLSX: {}}, "description": "the file"}},
)
async def statistics_export(
    table: Literal["rows", "series", "hours"] = Query(default="rows", description="rows (by group), series (by period), hours (by hour of day)"),
    format: Literal["csv", "xlsx"] = Query(default="csv"),  # noqa: A002 - the query parameter's name
    lang: Literal["zh", "en"] = Query(default="zh"),
    who: Principal = Depends(manager),
    hall: Hall = Depends(the_hall),
    q: report.Query = Depends(statistics_query),
    rt: Runtime = Depends(get_runtime),
) -> Response:
    found = await report.report(rt, hall, q)
    body, media_type = await asyncio.to_thread(export.build, found, table, format, lang)
    stamp = f"{q.start.isoformat()}_{q.end.isoformat()}"
    name = f"statistics-{hall.id}-{table}-{q.group.value}-{q.period.value}-{stamp}.{format}"
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Row-Count": str(len(found[table])),
            "Cache-Control": "no-store",
        },
    )
