/* 统计分析: a range of service days by hour, day, week or month, per queue, window, clerk, item,
   channel or the whole hall (GET …/manage/statistics); four charts (Chart.js 4, vendored in
   assets/vendor/, MIT); every table exported as CSV or Excel by the server (…/statistics/export);
   and the daily report: one day, laid out for printing at closing time (打印日报). */
"use strict";

(function () {
  const { S, $, t, el, api, managePath } = M;
  const charts = {};
  let shown = null; // the last report
  let windows = null; // the window rows for the load chart (the same range)
  let reportMode = false;

  const COLORS = { issued: "#1a5dba", served: "#1b7a45", noShow: "#b0302b", wait: "#95600a", bar: "#5d8fd6" };
  const COLUMNS = {
    rows: [
      ["name", "st.c.name"], ["issued", "st.c.issued"], ["served", "st.c.served"], ["no_show", "st.c.no_show"],
      ["transferred", "st.c.transferred"], ["wait_p50_s", "st.c.wait_p50", "dur"], ["wait_p90_s", "st.c.wait_p90", "dur"],
      ["wait_max_s", "st.c.wait_max", "dur"], ["handle_p50_s", "st.c.handle_p50", "dur"], ["handle_p90_s", "st.c.handle_p90", "dur"],
      ["handle_max_s", "st.c.handle_max", "dur"], ["utilisation", "st.c.utilisation", "rate"], ["checkin_rate", "st.c.checkin", "rate"],
      ["evaluations", "st.c.evaluations"], ["bad_rate", "st.c.bad_rate", "rate"],
    ],
    series: [
      ["label", "st.c.period"], ["issued", "st.c.issued"], ["served", "st.c.served"], ["no_show", "st.c.no_show"],
      ["transferred", "st.c.transferred"], ["cancelled", "st.c.cancelled"], ["wait_p50_s", "st.c.wait_p50", "dur"],
      ["wait_p90_s", "st.c.wait_p90", "dur"], ["wait_max_s", "st.c.wait_max", "dur"], ["handle_p50_s", "st.c.handle_p50", "dur"],
      ["handle_p90_s", "st.c.handle_p90", "dur"], ["evaluations", "st.c.evaluations"], ["bad_rate", "st.c.bad_rate", "rate"],
    ],
    hours: [["hour", "st.c.hour", "hour"], ["issued", "st.c.issued"], ["served", "st.c.served"], ["no_show", "st.c.no_show"]],
  };

  const today = () => M.localInput(M.now()).slice(0, 10);

  function shiftDay(iso, days) {
    const date = new Date(iso + "T00:00:00Z");
    date.setUTCDate(date.getUTCDate() + days);
    return date.toISOString().slice(0, 10);
  }

  function query(extra) {
    const params = new URLSearchParams({
      from: $("st-from").value, to: $("st-to").value, period: $("st-period").value, group: $("st-group").value,
    });
    for (const [key, value] of Object.entries(extra || {})) params.set(key, value);
    return params;
  }

  function check() {
    const from = $("st-from").value;
    const to = $("st-to").value;
    if (!from || !to) return t("st.need.dates");
    if (from > to) return t("st.need.order");
    return null;
  }

  // -- loading ----------------------------------------------------------------------------------

  async function load(event) {
    if (event) event.preventDefault();
    const problem = check();
    if (problem) return M.setError("st-error", problem);
    M.setError("st-error", "");
    $("st-body").dataset.loading = "true";
    try {
      const params = query();
      shown = await api("GET", managePath("/statistics?" + params));
      windows = params.get("group") === "window" ? shown
        : await api("GET", managePath("/statistics?" + query({ group: "window", period: "day" })));
      render();
    } catch (err) {
      M.setError("st-error", M.errorText(err));
    } finally {
      delete $("st-body").dataset.loading;
    }
  }

  function quick(kind) {
    const end = today();
    let start = end;
    let period = "day";
    if (kind === "today") period = "hour";
    else if (kind === "month") start = end.slice(0, 8) + "01";
    else start = shiftDay(end, 1 - Number(kind));
    if (kind === "365") period = "month";
    $("st-from").value = start;
    $("st-to").value = end;
    $("st-period").value = period;
    load();
  }

  // -- words and numbers ------------------------------------------------------------------------

  function cell(value, kind) {
    if (value === null || value === undefined) return "—";
    if (kind === "dur") return M.duration(value);
    if (kind === "rate") return (value * 100).toFixed(1) + "%";
    if (kind === "hour") return String(value).padStart(2, "0") + ":00";
    return String(value);
  }

  function rowName(row) {
    return S.lang === "en" && row.name_en ? row.name_en : row.name;
  }

  // Tickets are issued to a queue, not to a window or a clerk: those rows show no issued column.
  const NO_ISSUED = ["window", "staff"];
  const WINDOWS_CHARTED = 40; // the busiest; every window is in the table

  function renderTable(id, name, rows) {
    const columns = COLUMNS[name].filter(([key]) => !(name === "rows" && key === "issued" && NO_ISSUED.includes(shown.group)));
    const head = el("tr");
    for (const [key, label, kind] of columns) {
      const th = el("th", key === "name" || key === "label" || kind === "hour" ? null : "num", t(label));
      head.append(th);
    }
    const body = rows.map((row) => {
      const tr = el("tr");
      tr.dataset.key = row.key !== undefined ? row.key : row.label !== undefined ? row.label : row.hour;
      for (const [key, , kind] of columns) {
        const text = key === "name" ? rowName(row) : cell(row[key], kind);
        tr.append(el("td", key === "name" || key === "label" || kind === "hour" ? null : "num", text));
      }
      return tr;
    });
    const thead = el("thead");
    thead.append(head);
    const tbody = el("tbody");
    tbody.append(...body);
    if (!rows.length) {
      const tr = el("tr");
      const td = el("td", "list-empty", t("st.none"));
      td.colSpan = columns.length;
      tr.append(td);
      tbody.append(tr);
    }
    $(id).replaceChildren(thead, tbody);
  }

  function renderKpis(totals) {
    const tiles = [
      ["st.k.issued", cell(totals.issued)], ["st.k.served", cell(totals.served)],
      ["st.k.no_show", cell(totals.no_show), totals.no_show_rate !== null ? t("st.k.rate", { r: cell(totals.no_show_rate, "rate") }) : ""],
      ["st.k.transferred", cell(totals.transferred)],
      ["st.k.wait", cell(totals.wait_p50_s, "dur"), t("st.k.p90max", { p90: cell(totals.wait_p90_s, "dur"), max: cell(totals.wait_max_s, "dur") })],
      ["st.k.handle", cell(totals.handle_p50_s, "dur"), t("st.k.p90max", { p90: cell(totals.handle_p90_s, "dur"), max: cell(totals.handle_max_s, "dur") })],
      ["st.k.checkin", cell(totals.checkin_rate, "rate"), t("st.k.of", { n: cell(totals.reservations_checked_in), d: cell(totals.reservations_due) })],
      ["st.k.bad", cell(totals.bad_rate, "rate"), t("st.k.evaluations", { n: cell(totals.evaluations), bad: cell(totals.bad) })],
    ];
    $("st-kpis").replaceChildren(...tiles.map(([label, value, sub]) => {
      const box = el("div", "kpi");
      box.dataset.kpi = label.split(".").pop();
      box.append(el("span", "kpi-label", t(label)), el("b", "kpi-value", value));
      if (sub) box.append(el("span", "kpi-sub", sub));
      return box;
    }));
  }

  // -- charts -----------------------------------------------------------------------------------

  function chart(id, config) {
    if (!window.Chart) return;
    if (charts[id]) charts[id].destroy();
    config.options = Object.assign({
      responsive: true, maintainAspectRatio: false, animation: false, devicePixelRatio: Math.max(2, window.devicePixelRatio || 1),
      plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
    }, config.options || {});
    charts[id] = new window.Chart($(id), config);
  }

  function bucketLabels(edges) {
    const label = (s) => (s % 60 === 0 ? s / 60 + t("st.min") : s + "s");
    return edges.map((edge, i) => (i + 1 < edges.length ? label(edge) + "–" + label(edges[i + 1]) : "≥" + label(edge)));
  }

  function renderCharts() {
    const hours = shown.hours;
    chart("st-chart-hours", {
      type: "bar",
      data: {
        labels: hours.map((h) => String(h.hour).padStart(2, "0") + ":00"),
        datasets: [
          { label: t("st.c.issued"), data: hours.map((h) => h.issued), backgroundColor: COLORS.issued },
          { label: t("st.c.served"), data: hours.map((h) => h.served), backgroundColor: COLORS.served },
        ],
      },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
    const wait = shown.wait_histogram;
    chart("st-chart-wait", {
      type: "bar",
      data: { labels: bucketLabels(wait.edges_s), datasets: [{ label: t("st.c.waits"), data: wait.counts, backgroundColor: COLORS.wait }] },
      options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
    const busiest = (windows ? windows.rows : []).slice().sort((a, b) => b.served - a.served).slice(0, WINDOWS_CHARTED);
    const load = busiest.sort((a, b) => String(a.key).localeCompare(String(b.key)));
    $("st-chart-windows").parentElement.style.height = Math.max(230, load.length * 24 + 90) + "px";
    chart("st-chart-windows", {
      type: "bar",
      data: {
        labels: load.map(rowName),
        datasets: [
          { label: t("st.c.served"), data: load.map((r) => r.served), backgroundColor: COLORS.served, xAxisID: "x" },
          { label: t("st.c.utilisation"), data: load.map((r) => (r.utilisation === null ? null : Math.round(r.utilisation * 1000) / 10)),
            backgroundColor: COLORS.bar, xAxisID: "x2" },
        ],
      },
      options: {
        indexAxis: "y",
        scales: {
          y: { ticks: { autoSkip: false } },
          x: { beginAtZero: true, position: "bottom", ticks: { precision: 0 }, title: { display: true, text: t("st.c.served") } },
          x2: { beginAtZero: true, position: "top", max: 100, grid: { drawOnChartArea: false }, title: { display: true, text: t("st.c.utilisation") + " %" } },
        },
      },
    });
    const series = shown.series;
    chart("st-chart-trend", {
      type: "line",
      data: {
        labels: series.map((p) => (shown.period === "hour" && shown.from === shown.to ? p.label.slice(11) : p.label)),
        datasets: [
          { label: t("st.c.issued"), data: series.map((p) => p.issued), borderColor: COLORS.issued, backgroundColor: COLORS.issued, yAxisID: "y" },
          { label: t("st.c.served"), data: series.map((p) => p.served), borderColor: COLORS.served, backgroundColor: COLORS.served, yAxisID: "y" },
          { label: t("st.c.wait_p90") + " (" + t("st.min") + ")", data: series.map((p) => (p.wait_p90_s === null ? null : Math.round(p.wait_p90_s / 6) / 10)),
            borderColor: COLORS.wait, backgroundColor: COLORS.wait, borderDash: [5, 4], yAxisID: "y2" },
        ],
      },
      options: {
        scales: {
          y: { beginAtZero: true, ticks: { precision: 0 } },
          y2: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false } },
        },
      },
    });
    $("st-chart-trend-title").textContent = t("st.chart.trend") + " · " + t("st.period." + shown.period);
  }

  // -- the page ---------------------------------------------------------------------------------

  function render() {
    if (!shown || S.view !== "statistics") return;
    renderKpis(shown.totals);
    renderTable("st-rows", "rows", shown.rows);
    renderTable("st-series", "series", shown.series);
    renderTable("st-hours", "hours", shown.hours);
    $("st-rows-title").textContent = t("st.rows.by", { group: t("st.group." + shown.group) });
    $("st-series-hint").textContent = t("st.range", { from: shown.from, to: shown.to }) + " · " + t("st.period." + shown.period);
    renderCharts();
    $("st-body").dataset.ready = "true";
    if (reportMode) {
      const hall = S.lang === "en" && shown.hall.name_en ? shown.hall.name_en : shown.hall.name;
      $("st-report-title").textContent = t("st.report.title", { hall, day: shown.from });
      $("st-report-sub").textContent = t("st.report.sub", { who: S.ctx.me.name + "（" + S.ctx.me.id + "）" });
      $("st-report-foot").textContent = t("st.report.foot", { at: M.formatTime(new Date(M.now()).toISOString(), { date: true, seconds: true }) });
    }
  }

  function setReport(on) {
    reportMode = on;
    document.body.dataset.report = on ? "true" : "false";
    for (const id of ["st-report-head", "st-report-bar", "st-report-foot"]) $(id).hidden = !on;
    $("st-form").hidden = on;
  }

  async function openReport() {
    const day = $("st-report-day").value;
    if (!day) return M.setError("st-error", t("st.need.report.day"));
    $("st-from").value = day;
    $("st-to").value = day;
    $("st-period").value = "hour";
    $("st-group").value = "window";
    setReport(true);
    await load();
  }

  function closeReport() {
    setReport(false);
    render();
  }

  async function download(table, format) {
    const problem = check();
    if (problem) return M.setError("st-error", problem);
    try {
      const params = query({ table, format, lang: S.lang });
      const { name } = await M.download(managePath("/statistics/export?" + params), "statistics." + format);
      M.notice(t("st.exported", { name }), "ok");
    } catch (err) {
      M.setError("st-error", M.errorText(err));
    }
  }

  function enter() {
    if (!$("st-from").value) {
      const end = today();
      $("st-from").value = shiftDay(end, -13);
      $("st-to").value = end;
      $("st-period").value = "day";
    }
    if (!$("st-report-day").value) $("st-report-day").value = today();
    load();
  }

  function leave() {
    if (reportMode) setReport(false);
  }

  $("st-form").addEventListener("submit", load);
  $("st-quick").addEventListener("click", (event) => {
    const button = event.target.closest("[data-quick]");
    if (button) quick(button.dataset.quick);
  });
  $("st-body").addEventListener("click", (event) => {
    const button = event.target.closest("[data-export]");
    if (button) download(button.dataset.export, button.dataset.format);
  });
  $("st-report").addEventListener("click", openReport);
  $("st-report-back").addEventListener("click", closeReport);
  $("st-print").addEventListener("click", () => window.print());
  // Charts redraw at the paper's size before printing and back after.
  window.addEventListener("beforeprint", () => Object.values(charts).forEach((c) => c.resize()));
  window.addEventListener("afterprint", () => Object.values(charts).forEach((c) => c.resize()));
  M.views.statistics = { enter, leave, language: render };
})();
