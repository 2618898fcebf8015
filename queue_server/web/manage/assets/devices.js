/* The device board: every kiosk, screen and integration of the hall with its last health report,
   when it was last seen, its hall streams, and a flag when it has gone silent. Health reports are
   not stream events: the board is read when the page is opened, every 30 s while it is shown, and
   on the refresh button. */
"use strict";

(function () {
  const { S, $, t, el, api, managePath } = M;
  const REFRESH_MS = 30000;
  let timer = null;
  let board = null;

  async function load() {
    try {
      board = await api("GET", managePath("/devices"));
      render();
    } catch (err) {
      if (!(err instanceof M.ApiError && err.status === 401)) M.notice(M.errorText(err), "error");
    }
  }

  function render() {
    if (!board || S.view !== "devices") return;
    const rows = board.devices.map(row);
    $("device-rows").replaceChildren(...rows);
    $("device-empty").hidden = rows.length > 0;
    const flagged = board.devices.filter((d) => d.flagged || d.level === "error").length;
    const tally = [["dev.tally.total", board.devices.length, ""], ["dev.tally.flagged", flagged, flagged ? "alert" : ""],
      ["dev.tally.ok", board.devices.length - flagged, ""]];
    $("device-tally").replaceChildren(...tally.map(([key, n, kind]) => {
      const span = el("span", null, t(key));
      if (kind) span.dataset.kind = kind;
      span.append(el("b", null, String(n)));
      return span;
    }));
    $("device-rule").textContent = t("dev.rule", { d: M.duration(board.device_stale_s) });
  }

  function row(d) {
    const tr = el("tr");
    tr.dataset.device = d.id;
    tr.dataset.flagged = d.flagged ? "true" : "false";
    const name = el("td");
    name.append(el("div", null, d.name));
    if (d.name !== d.id) name.append(el("div", "muted small", d.id));
    const state = el("td");
    const pill = el("span", "lvl", t("dev.state." + d.state));
    pill.dataset.state = d.state;
    state.append(pill);
    if (d.silent_for_s !== null) state.append(el("div", "muted small", t("dev.silent.for", { d: M.duration(d.silent_for_s) })));
    const seen = el("td", null, d.last_seen_at ? M.formatTime(d.last_seen_at, { date: true }) : t("dev.never"));
    if (d.last_seen_at) seen.append(el("div", "muted small", t("dev.ago", { d: M.duration(M.since(d.last_seen_at)) })));
    const health = el("td");
    if (d.level) {
      const level = el("span", "lvl", t("dev.level." + d.level));
      level.dataset.level = d.level;
      health.append(level);
    } else {
      health.textContent = t("dev.never");
    }
    const parts = el("td");
    for (const c of d.components) {
      const comp = el("span", "comp");
      comp.dataset.level = c.level;
      comp.dataset.component = c.name;
      const label = t("comp." + c.name);
      comp.append(el("b", null, (label === "comp." + c.name ? c.name : label) + "："));
      comp.append(document.createTextNode((S.lang === "en" ? c.message_en : c.message_zh) || t("dev.level." + c.level)));
      parts.append(comp);
    }
    const app = el("td", "muted small", Object.entries(d.app).filter(([k]) => ["version", "screen"].includes(k)).map(([k, v]) => k + " " + v).join(" · "));
    tr.append(name, el("td", null, t("dev.kind." + d.kind)), state, seen, health, parts, app, el("td", "num", String(d.streams)));
    return tr;
  }

  function enter() {
    load();
    clearInterval(timer);
    timer = setInterval(load, REFRESH_MS);
  }

  function leave() {
    clearInterval(timer);
    timer = null;
  }

  $("device-refresh").addEventListener("click", () => {
    $("device-refresh").blur();
    load();
  });
  M.views.devices = { enter, leave, stop: leave, language: render };
})();
