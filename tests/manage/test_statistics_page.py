"""统计分析 in headless Chromium against a real server, on SQLite and PostgreSQL: the page after a
worked morning (figures, the four charts drawn, the tables), a CSV and an Excel export downloaded
and opened, a bad range refused on the page, the daily report laid out for print, English.
Screenshots at 1366×768 and 1920×1080 go to tests/artifacts/manage-statistics*.png."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
from playwright.sync_api import Page, expect

from tests.manage.test_manage_console import FULL_HD, log_in, shot
from tests.manage.test_statistics_api import work_a_morning
from tests.support.api import HallClient

CHARTS = ("st-chart-hours", "st-chart-wait", "st-chart-windows", "st-chart-trend")


def open_statistics(page: Page, hall: HallClient) -> None:
    log_in(page, hall)
    expect(page.locator("#view-live")).to_be_visible()
    page.click("#nav-statistics")
    expect(page.locator("#view-statistics")).to_be_visible()
    expect(page.locator("#st-body")).to_have_attribute("data-ready", "true")
    # Nothing spills: the page never scrolls as a whole (the statistics scroll inside their panel).
    size = page.viewport_size
    assert size is not None
    assert page.evaluate("document.documentElement.scrollHeight") <= size["height"]
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]


def drawn(page: Page, canvas: str) -> bool:
    """The chart on this canvas exists and has painted something (not a blank canvas)."""
    return bool(page.evaluate(
        """(id) => {
            const canvas = document.getElementById(id);
            const chart = window.Chart && window.Chart.getChart(canvas);
            if (!chart || canvas.width === 0) return false;
            const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
            let painted = 0;
            for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
            return painted > 500;
        }""",
        canvas,
    ))


def chart_data(page: Page, canvas: str) -> list[list[float | None]]:
    found: list[list[float | None]] = page.evaluate(
        "(id) => window.Chart.getChart(document.getElementById(id)).data.datasets.map((d) => d.data)", canvas
    )
    return found


def test_the_statistics_page_shows_the_morning_with_charts_and_exports(
    hall: HallClient, new_page, tmp_path: Path
) -> None:
    work_a_morning(hall)
    page = new_page()
    open_statistics(page, hall)
    # Default: the last 14 days by day, by queue.
    expect(page.locator('#st-kpis [data-kpi="issued"] .kpi-value')).to_have_text("5")
    expect(page.locator('#st-kpis [data-kpi="served"] .kpi-value')).to_have_text("3")
    expect(page.locator('#st-kpis [data-kpi="no_show"] .kpi-value')).to_have_text("1")
    expect(page.locator('#st-kpis [data-kpi="transferred"] .kpi-value')).to_have_text("1")
    expect(page.locator('#st-rows tbody tr[data-key="A"] td').nth(0)).to_have_text("企业开办")
    expect(page.locator('#st-rows tbody tr[data-key="A"] td').nth(1)).to_have_text("4")
    for canvas in CHARTS:
        assert drawn(page, canvas), canvas
    issued_by_hour, served_by_hour = chart_data(page, "st-chart-hours")
    assert sum(v or 0 for v in issued_by_hour) == 5 and sum(v or 0 for v in served_by_hour) == 3
    assert sum(v or 0 for v in chart_data(page, "st-chart-wait")[0]) == 3
    served_by_window = chart_data(page, "st-chart-windows")[0]
    assert sorted(v or 0 for v in served_by_window) == [1, 2]
    shot(page, hall.server, "manage-statistics")

    # By window: no issued column (tickets are issued to queues), the clerks' work per window.
    page.select_option("#st-group", "window")
    page.click("#st-search")
    expect(page.locator("#st-rows-title")).to_have_text("按窗口")
    expect(page.locator('#st-rows tbody tr[data-key="W03"] td').nth(1)).to_have_text("2")
    expect(page.locator("#st-rows thead th")).not_to_contain_text(["取号"])

    # An export of the table, as CSV and as Excel, downloaded and opened.
    with page.expect_download() as waiting:
        page.click('[data-export="rows"][data-format="csv"]')
    download = waiting.value
    assert download.suggested_filename.startswith(f"statistics-{hall.hall}-rows-window-day-")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:4] == ["编号", "名称", "取号数", "办结数"]
    assert {r[0]: r[3] for r in rows[1:]} == {"W01": "1", "W03": "2"}
    with page.expect_download() as waiting:
        page.click('[data-export="series"][data-format="xlsx"]')
    workbook = tmp_path / waiting.value.suggested_filename
    waiting.value.save_as(workbook)
    assert workbook.suffix == ".xlsx"
    sheet = openpyxl.load_workbook(workbook).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][:3] == ("时段", "取号数", "办结数")
    assert sum(row[1] for row in values[2:]) == 5

    # A range too long for its period: the server's reason, on the page; the figures stay.
    last = dt.date.fromisoformat(page.input_value("#st-to"))
    page.fill("#st-from", (last - dt.timedelta(days=40)).isoformat())
    page.select_option("#st-period", "hour")
    page.click("#st-search")
    expect(page.locator("#st-error")).to_contain_text("按小时统计最多 31 天")
    page.fill("#st-from", "2026-12-09")
    page.fill("#st-to", "2026-12-01")
    page.click("#st-search")
    expect(page.locator("#st-error")).to_have_text("开始日期不能晚于结束日期")

    # English.
    page.click("#lang-toggle")
    expect(page.locator("#nav-statistics")).to_have_text("Statistics")
    expect(page.locator('#st-kpis [data-kpi="served"] .kpi-label')).to_have_text("Served")


def test_the_daily_report_is_one_day_laid_out_for_print(hall: HallClient, new_page) -> None:
    work_a_morning(hall)
    page = new_page(viewport=FULL_HD)
    open_statistics(page, hall)
    shot(page, hall.server, "manage-statistics-1080")
    today = page.input_value("#st-report-day")
    assert dt.date.fromisoformat(today)
    page.click("#st-report")
    expect(page.locator("#st-report-title")).to_have_text(f"测试政务服务中心 {hall.hall} 营业日报 {today}")
    expect(page.locator("#st-body")).to_have_attribute("data-ready", "true")
    expect(page.locator("#st-series tbody tr").first).to_contain_text(today)
    expect(page.locator("#st-rows-title")).to_have_text("按窗口")
    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.locator("#st-form")).to_be_hidden()
    expect(page.locator('[data-export="rows"]').first).to_be_hidden()
    for canvas in CHARTS:
        assert drawn(page, canvas), canvas
    shot(page, hall.server, "manage-statistics-report-print")
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    page.emulate_media(media="screen")
    page.click("#st-report-back")
    expect(page.locator("#st-form")).to_be_visible()
