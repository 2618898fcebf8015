/* The live hall: every window and queue, kept live by the hall stream (CONTRACT §7; the screens'
   Hall.Model applies its events) and by the console's alert stream; what the hall stream does not
   carry (pause reasons, how long a ticket has been at a window, longest waits, estimates, arrivals)
   comes from GET …/manage/live, fetched again after each event. No polling: between events only
   the clocks on the page move. Actions (tidal move, pause, resume, sign-out, acknowledging an
   alert) each have a confirm step. */
"use strict";

(function () {
  const { S, $, t, el, api, managePath, hallPath } = M;
  const BACKOFF_MS = [500, 1000, 2000, 4000, 8000];
  const STABLE_MS = 5000;
  const REFRESH_DELAY_MS = 250;
  const TICK_MS = 5000;
  const ARRIVALS_MS = 30 * 60 * 1000;
  const PAUSE_REASONS = ["lunch", "away", "fault", "training", "meeting", "other"];

  const L = {
    model: new Hall.Model(),
    synced: false,
    extras: null, // GET …/manage/live
    alerts: [], // from the alert stream
    sockets: {}, // name → {ws, attempt, timer, openedAt, state}
    running: false,
    refreshTimer: null,
    refreshing: null,
    again: false,
    tick: null,
    dialogWindow: null,
    tidal: null, // {window, chosen, policy, previewTimer, seq}
  };

  // -- sockets ----------------------------------------------------------------------------------

  function socketUrl(path, since) {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    let url = `${scheme}//${location.host}${M.API}${path}?token=${encodeURIComponent(S.token)}`;
    if (since !== null && since !== undefined) url += "&since=" + since;
    return url;
  }

  function openSocket(name, path, handlers) {
    const slot = L.sockets[name] || (L.sockets[name] = { attempt: 0, state: "connecting" });
    if (!L.running) return;
    let ws;
    try {
      ws = new WebSocket(socketUrl(path, handlers.since ? handlers.since() : null));
    } catch (_) {
      return retry(name, path, handlers);
    }
    slot.ws = ws;
    slot.state = slot.attempt ? "reconnecting" : "connecting";
    connState();
    ws.onopen = () => {
      slot.openedAt = Date.now();
      slot.state = "live";
      connState();
      if (handlers.open) handlers.open(slot.attempt > 0);
    };
    ws.onmessage = (message) => {
      let data;
      try {
        data = JSON.parse(message.data);
      } catch (_) {
        return;
      }
      handlers.message(data, ws);
    };
    ws.onclose = (event) => {
      if (slot.ws !== ws) return;
      slot.ws = null;
      if (event.code === 4401) return M.S.token && sessionEndedByStream();
      if (Date.now() - (slot.openedAt || 0) > STABLE_MS) slot.attempt = 0;
      retry(name, path, handlers);
    };
  }

  function retry(name, path, handlers) {
    const slot = L.sockets[name];
    if (!L.running) return;
    slot.state = "reconnecting";
    connState();
    const base = BACKOFF_MS[Math.min(slot.attempt, BACKOFF_MS.length - 1)];
    slot.attempt += 1;
    clearTimeout(slot.timer);
    slot.timer = setTimeout(() => openSocket(name, path, handlers), base * (0.8 + Math.random() * 0.4));
  }

  function connState() {
    const states = Object.values(L.sockets).map((s) => s.state);
    M.setConn(states.includes("reconnecting") ? "reconnecting" : states.every((s) => s === "live") && states.length ? "live" : "connecting");
  }

  function sessionEndedByStream() {
    // The token ended (logout elsewhere, expiry): the API call says so and returns to the login.
    api("GET", "/auth/me").catch(() => null);
  }

  function closeSockets() {
    for (const slot of Object.values(L.sockets)) {
      clearTimeout(slot.timer);
      if (slot.ws) {
        const ws = slot.ws;
        slot.ws = null;
        ws.onclose = ws.onmessage = ws.onopen = null;
        try {
          ws.close(1000);
        } catch (_) {
          /* already closed */
        }
      }
    }
    L.sockets = {};
  }

  const hallStream = {
    since: () => (L.synced ? L.model.seq : null),
    open: (again) => {
      if (again) scheduleRefresh(0); // whatever the replay cannot say
    },
    message: (m, ws) => {
      if (m.type === "snapshot") {
        L.model.snapshot(m);
        L.synced = true;
        scheduleRefresh(0);
        render();
        return;
      }
      if (!L.synced || typeof m.seq !== "number" || m.seq <= L.model.seq) return;
      if (m.seq !== L.model.seq + 1) {
        L.synced = false; // a gap: start again from a snapshot
        ws.close();
        return;
      }
      L.model.apply(m);
      render();
      scheduleRefresh();
    },
  };

  const alertStream = {
    message: (m) => {
      if (m.type !== "alerts") return;
      L.alerts = m.alerts || [];
      renderAlerts();
      renderWindows();
      renderQueues();
    },
  };

  // -- the figures beyond the stream ------------------------------------------------------------

  function scheduleRefresh(delay) {
    clearTimeout(L.refreshTimer);
    L.refreshTimer = setTimeout(refresh, delay === undefined ? REFRESH_DELAY_MS : delay);
  }

  async function refresh() {
    if (!L.running) return;
    if (L.refreshing) {
      L.again = true; // one more pass when this one ends: never drop a change
      return;
    }
    L.refreshing = (async () => {
      try {
        L.extras = await api("GET", managePath("/live"));
        render();
      } catch (err) {
        if (!(err instanceof M.ApiError && err.status === 401)) M.notice(M.errorText(err), "error");
      }
    })();
    try {
      await L.refreshing;
    } finally {
      L.refreshing = null;
      if (L.again) {
        L.again = false;
        scheduleRefresh(0);
      }
    }
  }

  // -- reading the model ------------------------------------------------------------------------

  function extraWindow(id) {
    return L.extras ? L.extras.windows.find((w) => w.id === id) : null;
  }

  function extraQueue(id) {
    return L.extras ? L.extras.queues.find((q) => q.id === id) : null;
  }

  /** serving, calling, idle, paused or closed, from the stream's model. */
  function stateOf(w) {
    if (w.status === "closed" || !w.status) return "closed";
    if (w.status === "paused") return "paused";
    if (w.current && w.current.status === "serving") return "serving";
    if (w.current && w.current.status === "called") return "calling";
    return "idle";
  }

  function windowView(w) {
    const extra = extraWindow(w.id);
    const state = stateOf(w);
    const current = w.current && (w.current.status === "called" || w.current.status === "serving") ? w.current : null;
    const extraCurrent = extra && extra.current && current && extra.current.number === current.number ? extra.current : null;
    return {
      id: w.id, name: w.name, state, staff: w.staff, queues: w.queues || [], current,
      calledAt: extraCurrent ? extraCurrent.called_at : null,
      pause: state === "paused" && extra ? extra.pause : null,
      tags: extra ? extra.tags : (S.ctx.windows.find((c) => c.id === w.id) || { tags: [] }).tags,
      policy: extra ? extra.policy : "fifo",
      alert: L.alerts.some((a) => a.subject === w.id && a.kind.startsWith("window_")),
    };
  }

  // -- rendering --------------------------------------------------------------------------------

  function render() {
    if (S.view !== "live" || !L.synced) return;
    renderWindows();
    renderQueues();
    renderAlerts();
    if (L.dialogWindow && $("window-dialog").open) renderWindowDialog();
    $("live-updated").textContent = L.extras ? t("live.updated", { time: M.formatTime(L.extras.now, { seconds: true }) }) : "";
  }

  function renderWindows() {
    if (S.view !== "live" || !L.synced) return;
    const grid = $("window-grid");
    const cards = [];
    const tally = { serving: 0, calling: 0, idle: 0, paused: 0, closed: 0 };
    for (const w of L.model.windows.values()) {
      const v = windowView(w);
      tally[v.state] += 1;
      cards.push(windowCard(v));
    }
    grid.replaceChildren(...cards);
    const parts = Object.entries(tally).map(([state, n]) => {
      const span = el("span", null, t("tally." + state));
      span.dataset.kind = state;
      span.append(el("b", null, String(n)));
      return span;
    });
    $("window-tally").replaceChildren(...parts);
  }

  function windowCard(v) {
    const card = el("button", "wcard");
    card.type = "button";
    card.dataset.window = v.id;
    card.dataset.state = v.state;
    card.dataset.alert = v.alert ? "true" : "false";
    const head = el("div", "wcard-head");
    head.append(el("span", "wcard-name", v.name));
    for (const tag of v.tags || []) head.append(el("span", "tag", t("tag." + tag)));
    head.append(el("span", "state", t("wstate." + v.state)));
    const nowRow = el("div", "wcard-now");
    if (v.current) {
      nowRow.append(el("span", "wcard-number", v.current.number));
      nowRow.append(el("span", "wcard-for", v.calledAt ? M.duration(M.since(v.calledAt)) : ""));
    } else if (v.state === "paused") {
      nowRow.append(el("span", "wcard-idle", v.pause ? t("window.paused.for", { d: M.duration(M.since(v.pause.since)) }) : t("wstate.paused")));
    } else {
      nowRow.append(el("span", "wcard-idle", v.state === "closed" ? t("window.nobody") : t("window.waiting.call")));
    }
    card.append(head, nowRow);
    if (v.state === "paused") {
      const reason = v.pause && v.pause.reason ? t("window.pause.reason", { reason: v.pause.reason }) : t("window.pause.noreason");
      const pausedFor = v.current && v.pause ? t("window.paused.for", { d: M.duration(M.since(v.pause.since)) }) + " · " : "";
      const line = el("div", "wcard-pause", pausedFor + reason);
      line.title = reason;
      card.append(line);
    }
    const foot = el("div", "wcard-foot");
    foot.append(el("span", "wcard-staff", v.staff ? v.staff.name + " " + v.staff.id : "—"));
    const chips = el("span", "qchips");
    for (const q of v.queues) {
      const chip = el("span", "qchip", q);
      chip.title = M.queueName(q);
      chips.append(chip);
    }
    foot.append(chips);
    card.append(foot);
    card.addEventListener("click", () => openWindowDialog(v.id));
    return card;
  }

  function renderQueues() {
    if (S.view !== "live" || !L.synced) return;
    const rows = [];
    const windows = Array.from(L.model.windows.values());
    for (const q of L.model.queues.values()) {
      const extra = extraQueue(q.id);
      const serving = windows.filter((w) => (w.queues || []).includes(q.id));
      const open = serving.filter((w) => w.status === "open").length;
      const kinds = new Set(L.alerts.filter((a) => a.subject === q.id && a.kind.startsWith("queue_")).map((a) => a.kind));
      const waiting = q.waiting || 0;
      const longest = waiting && extra && extra.oldest_issued_at ? M.duration(M.since(extra.oldest_issued_at)) : t("dur.none");
      const estimate = extra && extra.estimated_wait_s !== null ? M.duration(extra.estimated_wait_s) : t("dur.none");
      const arrivals = extra ? extra.arrival_times.filter((at) => M.now() - Date.parse(at) <= ARRIVALS_MS).length : null;
      const row = el("tr");
      row.dataset.queue = q.id;
      row.dataset.alert = kinds.size ? "true" : "false";
      const name = el("td");
      name.append(el("span", "qid", q.id), document.createTextNode(" " + M.queueName(q.id)));
      row.append(
        name,
        cell(String(waiting), kinds.has("queue_waiting"), "waiting"),
        cell(longest, kinds.has("queue_longest_wait"), "longest"),
        cell(estimate, kinds.has("queue_estimate"), "estimate"),
        cell(arrivals === null ? t("dur.none") : String(arrivals), false, "arrivals"),
        cell(open + " / " + serving.length, false, "windows")
      );
      rows.push(row);
    }
    $("queue-rows").replaceChildren(...rows);
  }

  function cell(text, hot, field) {
    const td = el("td", "num" + (hot ? " hot" : ""), text);
    td.dataset.field = field;
    return td;
  }

  function renderAlerts() {
    if (S.view !== "live") return;
    const list = $("alert-list");
    const items = L.alerts.map((a) => {
      const item = el("li", "alert");
      item.dataset.alert = String(a.id);
      item.dataset.kind = a.kind;
      item.dataset.acked = a.acknowledged ? "true" : "false";
      item.append(el("span", "alert-text", S.lang === "en" ? a.text_en : a.text_zh));
      let meta = t("alerts.since", { time: M.formatTime(a.raised_at) });
      if (a.acknowledged) {
        const who = a.acknowledged.by_name || M.personName(a.acknowledged.by);
        meta += " · " + t("alerts.acked", { who, time: M.formatTime(a.acknowledged.at) });
        if (a.acknowledged.note) meta += " · " + a.acknowledged.note;
      }
      item.append(el("span", "alert-meta", meta));
      if (!a.acknowledged) {
        const ack = el("button", "btn btn-small", t("alerts.ack"));
        ack.type = "button";
        ack.dataset.ack = String(a.id);
        ack.addEventListener("click", () => acknowledge(a));
        item.append(ack);
      }
      return item;
    });
    list.replaceChildren(...items);
    $("alert-empty").hidden = items.length > 0;
    $("alert-count").textContent = String(L.alerts.filter((a) => !a.acknowledged).length);
    $("alerts-panel").dataset.active = L.alerts.some((a) => !a.acknowledged) ? "true" : "false";
    const rules = countRules();
    $("alert-rules").textContent = rules ? t("alerts.rules", { n: rules }) : t("alerts.rules.none");
  }

  function countRules() {
    const values = (list) => list.flatMap((r) => Object.entries(r).filter(([k, v]) => k !== "queue" && k !== "window" && v));
    return new Set([...values(S.ctx.queue_thresholds).map(([k]) => "q." + k), ...values(S.ctx.window_thresholds).map(([k]) => "w." + k)]).size;
  }

  // -- a window's dialog ------------------------------------------------------------------------

  function openWindowDialog(id) {
    L.dialogWindow = id;
    renderWindowDialog();
    if (!$("window-dialog").open) $("window-dialog").showModal();
  }

  function currentWindow() {
    const w = L.model.windows.get(L.dialogWindow);
    return w ? windowView(w) : null;
  }

  function renderWindowDialog() {
    const v = currentWindow();
    if (!v) return;
    $("wd-title").textContent = v.name + " · " + t("wstate." + v.state);
    const facts = $("wd-facts");
    facts.replaceChildren();
    const add = (key, value) => facts.append(el("dt", null, t(key)), el("dd", null, value));
    add("wd.staff", v.staff ? v.staff.name + "（" + v.staff.id + "）" : t("window.nobody"));
    add("wd.current", v.current ? v.current.number + " · " + t("status." + v.current.status) + (v.calledAt ? " · " + M.duration(M.since(v.calledAt)) : "") : "—");
    add("wd.queues", v.queues.map((q) => q + " " + M.queueName(q)).join("、"));
    add("wd.policy", t("policy." + (v.policy || "fifo")));
    if (v.state === "paused") {
      const reason = v.pause && v.pause.reason ? v.pause.reason : t("window.pause.noreason");
      add("wd.pause", reason + (v.pause ? " · " + t("alerts.since", { time: M.formatTime(v.pause.since) }) : ""));
    }
    $("wd-pause").disabled = !(v.state === "serving" || v.state === "calling" || v.state === "idle");
    $("wd-resume").disabled = v.state !== "paused";
    $("wd-signout").disabled = !v.staff;
  }

  // -- tidal move -------------------------------------------------------------------------------

  function openTidal() {
    const v = currentWindow();
    if (!v) return;
    $("window-dialog").close();
    L.tidal = { window: v.id, before: v.queues.slice(), policyBefore: v.policy || "fifo", chosen: v.queues.slice(), policy: v.policy || "fifo", seq: 0 };
    $("tidal-window").textContent = v.name;
    document.querySelectorAll('input[name="tidal-policy"]').forEach((r) => (r.checked = r.value === L.tidal.policy));
    renderTidalQueues();
    $("tidal-effects").replaceChildren();
    M.setError("tidal-error", "");
    $("tidal-dialog").showModal();
    previewTidal();
  }

  function renderTidalQueues() {
    const box = $("tidal-queues");
    const tidal = L.tidal;
    const order = [...tidal.chosen, ...S.ctx.queues.map((q) => q.id).filter((q) => !tidal.chosen.includes(q))];
    box.replaceChildren(...order.map((id) => {
      const label = el("label", "check");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.value = id;
      box.checked = tidal.chosen.includes(id);
      box.addEventListener("change", () => {
        tidal.chosen = box.checked ? [...tidal.chosen, id] : tidal.chosen.filter((q) => q !== id);
        renderTidalQueues();
        previewTidal();
      });
      label.append(box, el("span", null, id + " " + M.queueName(id)));
      if (box.checked) label.append(el("span", "order", String(tidal.chosen.indexOf(id) + 1)));
      return label;
    }));
  }

  function tidalUnchanged() {
    const tidal = L.tidal;
    return tidal.chosen.join(",") === tidal.before.join(",") && tidal.policy === tidal.policyBefore;
  }

  async function previewTidal() {
    const tidal = L.tidal;
    const confirm = $("tidal-confirm");
    if (!tidal.chosen.length) {
      M.setError("tidal-error", t("tidal.need.queue"));
      $("tidal-effects").replaceChildren();
      confirm.disabled = true;
      return;
    }
    M.setError("tidal-error", "");
    confirm.disabled = tidalUnchanged();
    const seq = ++tidal.seq;
    try {
      const found = await api("POST", managePath("/windows/" + encodeURIComponent(tidal.window) + "/tidal-preview"), { queues: tidal.chosen, policy: tidal.policy });
      if (seq !== tidal.seq) return; // a later choice is on its way
      $("tidal-effects").replaceChildren(...found.effects.map(effectRow));
    } catch (err) {
      if (seq !== tidal.seq) return;
      M.setError("tidal-error", M.errorText(err));
      confirm.disabled = true;
    }
  }

  function effectRow(e) {
    const row = el("tr");
    row.dataset.queue = e.queue;
    row.dataset.changed = e.changed ? "true" : "false";
    const name = el("td");
    name.append(el("span", "qid", e.queue), document.createTextNode(" " + M.queueName(e.queue)));
    const after = el("td", "num", e.estimated_wait_after_s === null ? t("tidal.unknown") : M.duration(e.estimated_wait_after_s));
    after.dataset.field = "after";
    const before = e.estimated_wait_before_s;
    const later = e.estimated_wait_after_s;
    if (before !== null && later !== null && later !== before) after.classList.add(later < before ? "better" : "worse");
    if ((before === null) !== (later === null)) after.classList.add(later === null ? "worse" : "better");
    const windows = el("td", "num", e.windows_before === e.windows_after ? String(e.windows_after) : e.windows_before + " → " + e.windows_after);
    const beforeCell = el("td", "num", before === null ? t("tidal.unknown") : M.duration(before));
    beforeCell.dataset.field = "before";
    row.append(name, el("td", "num", String(e.waiting)), windows, beforeCell, after);
    return row;
  }

  async function confirmTidal(event) {
    event.preventDefault();
    const tidal = L.tidal;
    if (!tidal.chosen.length) return M.setError("tidal-error", t("tidal.need.queue"));
    if (tidalUnchanged()) return M.setError("tidal-error", t("tidal.same"));
    const confirm = $("tidal-confirm");
    confirm.disabled = true;
    try {
      await api("PUT", hallPath("/windows/" + encodeURIComponent(tidal.window) + "/queues"), { queues: tidal.chosen, policy: tidal.policy });
      $("tidal-dialog").close();
      M.notice(t("tidal.done", { window: M.windowName(tidal.window), queues: tidal.chosen.map(M.queueName).join("、") }), "ok");
    } catch (err) {
      M.setError("tidal-error", M.errorText(err));
    } finally {
      confirm.disabled = false;
    }
  }

  // -- pause, resume, sign out ------------------------------------------------------------------

  function openPause() {
    const v = currentWindow();
    if (!v) return;
    $("window-dialog").close();
    $("pause-window").textContent = v.name;
    $("pause-reasons").replaceChildren(...PAUSE_REASONS.map((key) => {
      const chip = el("label", "reason-chip");
      const radio = document.createElement("input");
      radio.type = "radio";
      radio.name = "pause-reason";
      radio.value = key;
      chip.append(radio, el("span", null, t("reason." + key)));
      return chip;
    }));
    $("pause-text").value = "";
    M.setError("pause-error", "");
    $("pause-dialog").dataset.window = v.id;
    $("pause-dialog").showModal();
  }

  function pauseReason() {
    const chosen = document.querySelector('input[name="pause-reason"]:checked');
    const text = $("pause-text").value.replace(/\s+/g, " ").trim();
    if (!chosen && !text) return { error: "pause.need.reason" };
    if (chosen && chosen.value === "other" && !text) return { error: "pause.need.text" };
    // The reason is kept in the hall's language (Chinese), whatever this page shows.
    const preset = chosen && chosen.value !== "other" ? window.MANAGE_TEXT.zh["reason." + chosen.value] : "";
    return { reason: preset && text ? preset + "：" + text : preset || text };
  }

  async function confirmPause(event) {
    event.preventDefault();
    const found = pauseReason();
    if (found.error) return M.setError("pause-error", t(found.error));
    const windowId = $("pause-dialog").dataset.window;
    const button = $("pause-confirm");
    button.disabled = true;
    try {
      await api("POST", managePath("/windows/" + encodeURIComponent(windowId) + "/pause"), { reason: found.reason });
      $("pause-dialog").close();
      M.notice(t("pause.done", { window: M.windowName(windowId), reason: found.reason }), "ok");
    } catch (err) {
      M.setError("pause-error", M.errorText(err));
    } finally {
      button.disabled = false;
    }
  }

  function askResume() {
    const v = currentWindow();
    if (!v) return;
    $("window-dialog").close();
    M.confirmStep({
      title: t("resume.heading"), text: t("resume.text", { window: v.name }), ok: t("resume.confirm"),
      action: async () => {
        await api("POST", hallPath("/windows/" + encodeURIComponent(v.id) + "/resume"));
        M.notice(t("resume.done", { window: v.name }), "ok");
      },
    });
  }

  function askSignOut() {
    const v = currentWindow();
    if (!v || !v.staff) return;
    $("window-dialog").close();
    M.confirmStep({
      title: t("signout.heading"),
      text: t("signout.text", { name: v.staff.name, id: v.staff.id, window: v.name }),
      warn: v.current ? t("signout.warn", { number: v.current.number }) : "",
      ok: t("signout.confirm"),
      action: async () => {
        await api("POST", managePath("/windows/" + encodeURIComponent(v.id) + "/sign-out"));
        M.notice(t("signout.done", { name: v.staff.name, window: v.name }), "ok");
      },
    });
  }

  function acknowledge(alert) {
    M.confirmStep({
      title: t("ack.heading"), text: S.lang === "en" ? alert.text_en : alert.text_zh, note: true, ok: t("ack.confirm"),
      action: async (note) => {
        const reply = await api("POST", managePath("/alerts/" + alert.id + "/ack"), { note });
        L.alerts = reply.alerts;
        renderAlerts();
        M.notice(t("ack.done"), "ok");
      },
    });
  }

  // -- the view ---------------------------------------------------------------------------------

  function begin() {
    L.running = true;
    L.synced = false;
    L.extras = null;
    L.alerts = [];
    openSocket("hall", hallPath("/stream"), hallStream);
    openSocket("alerts", managePath("/stream"), alertStream);
    clearInterval(L.tick);
    L.tick = setInterval(render, TICK_MS); // the clocks on the page; no request
  }

  function stop() {
    L.running = false;
    clearInterval(L.tick);
    clearTimeout(L.refreshTimer);
    closeSockets();
    M.setConn("idle");
    for (const id of ["window-dialog", "tidal-dialog", "pause-dialog", "confirm-dialog"]) if ($(id).open) $(id).close();
  }

  function wire() {
    $("wd-close").addEventListener("click", () => $("window-dialog").close());
    $("wd-tidal").addEventListener("click", openTidal);
    $("wd-pause").addEventListener("click", openPause);
    $("wd-resume").addEventListener("click", askResume);
    $("wd-signout").addEventListener("click", askSignOut);
    $("tidal-form").addEventListener("submit", confirmTidal);
    $("tidal-cancel").addEventListener("click", () => $("tidal-dialog").close());
    document.querySelectorAll('input[name="tidal-policy"]').forEach((radio) =>
      radio.addEventListener("change", () => {
        L.tidal.policy = radio.value;
        previewTidal();
      })
    );
    $("pause-form").addEventListener("submit", confirmPause);
    $("pause-cancel").addEventListener("click", () => $("pause-dialog").close());
    $("pause-text").addEventListener("input", () => M.setError("pause-error", ""));
  }

  wire();
  M.views.live = { begin, stop, enter: render, language: render };
})();
