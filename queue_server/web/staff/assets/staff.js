/* The staff console: log in, sign in at a window, call and act on tickets, live through the
   hall stream. Plain JavaScript over the public API (/api/v1); no build step, nothing external.
   The staff token lives in sessionStorage only: closing the browser tab ends it here. */
"use strict";

(function () {
  const API = "/api/v1";
  const STORE = { token: "staff.token", hall: "staff.hall", window: "staff.window" };
  const LANG_KEY = "staff.lang"; // a preference, not a secret
  const LIVE = ["called", "serving"];
  const REFRESH_DELAY_MS = 150;
  const SAFETY_REFRESH_MS = 60000;
  const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000];
  const STABLE_MS = 5000; // a connection that lived this long resets the backoff

  const $ = (id) => document.getElementById(id);
  const S = {
    lang: localStorage.getItem(LANG_KEY) === "en" ? "en" : "zh",
    token: sessionStorage.getItem(STORE.token),
    hall: sessionStorage.getItem(STORE.hall),
    me: null, // /auth/me
    hallInfo: null, // GET /halls/{hall}
    clockSkewMs: 0,
    windowId: null,
    window: null, // GET /windows/{w} (with current_ticket)
    waiting: { total: 0, tickets: [] },
    missed: [],
    queues: [],
    windowsById: {},
    notice: null, // {key, vars, text, kind}
    busy: false,
    // stream
    ws: null,
    seq: null,
    attempt: 0,
    reconnectTimer: null,
    openedAt: 0,
    connState: "idle",
    refreshTimer: null,
    refreshing: null,
    refreshAgain: false,
    safetyTimer: null,
    clockTimer: null,
  };

  // -- words ------------------------------------------------------------------------------------

  function t(key, vars) {
    const table = window.STAFF_TEXT[S.lang] || window.STAFF_TEXT.zh;
    let text = table[key] !== undefined ? table[key] : window.STAFF_TEXT.zh[key] || key;
    if (vars) {
      text = text.replace(/\{(\w+)\}/g, (_, name) => (vars[name] === undefined ? "" : String(vars[name])));
    }
    return text;
  }

  function applyLanguage() {
    document.documentElement.lang = S.lang === "en" ? "en" : "zh-CN";
    document.title = t("app.title");
    document.querySelectorAll("[data-i18n]").forEach((el) => {
      el.textContent = t(el.dataset.i18n);
    });
    $("lang-toggle").textContent = t("top.lang");
    if (S.windowId) renderDesk();
    if (!$("view-windows").hidden) loadWindowChoice();
    setConn(S.connState);
  }

  function queueName(id) {
    const queue = S.queues.find((q) => q.id === id);
    if (!queue) return id;
    return S.lang === "en" && queue.name_en ? queue.name_en : queue.name;
  }

  function windowName(id) {
    const w = S.windowsById[id];
    return w ? w.name : id;
  }

  // -- the API ----------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.message) || "HTTP " + status);
      this.status = status;
      this.body = body || {};
    }
  }

  function errorText(err) {
    if (!(err instanceof ApiError)) return t("err.network");
    const body = err.body || {};
    if (S.lang === "en") return body.message || t("err.generic");
    return body.message_zh || body.message || t("err.generic");
  }

  async function api(method, path, body) {
    const headers = { Accept: "application/json" };
    if (S.token) headers.Authorization = "Bearer " + S.token;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(API + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
    });
    if (response.status === 204) return null;
    let data = null;
    try {
      data = await response.json();
    } catch (_) {
      data = null;
    }
    if (!response.ok) {
      const err = new ApiError(response.status, data);
      if (response.status === 401 && S.token && path !== "/auth/login") {
        sessionEnded("login.expired");
      }
      throw err;
    }
    return data;
  }

  const hallPath = (suffix) => "/halls/" + encodeURIComponent(S.hall) + suffix;
  const windowPath = (suffix) => hallPath("/windows/" + encodeURIComponent(S.windowId) + (suffix || ""));

  // -- views ------------------------------------------------------------------------------------

  function show(view) {
    for (const name of ["login", "windows", "desk"]) {
      $("view-" + name).hidden = name !== view;
    }
    const signedIn = view !== "login";
    $("logout").hidden = !signedIn;
    $("switch-window").hidden = view !== "desk";
    $("who").hidden = !signedIn;
    $("conn").hidden = view !== "desk";
    document.body.dataset.view = view;
  }

  function showLogin(messageKey) {
    stopStream();
    S.windowId = null;
    show("login");
    const params = new URLSearchParams(location.search);
    const hall = params.get("hall") || S.hall || "";
    if (!$("login-hall").value) $("login-hall").value = hall;
    $("login-password").value = "";
    setFormError("login-error", messageKey ? t(messageKey) : "");
    const first = ["login-hall", "login-staff", "login-password"].map($).find((input) => !input.value);
    (first || $("login-password")).focus();
  }

  function setFormError(id, text) {
    const el = $(id);
    el.textContent = text || "";
    el.hidden = !text;
  }

  function clearSession() {
    S.token = null;
    S.me = null;
    sessionStorage.removeItem(STORE.token);
    sessionStorage.removeItem(STORE.window);
  }

  function sessionEnded(messageKey) {
    if (!S.token) return;
    clearSession();
    showLogin(messageKey);
  }

  // -- login ------------------------------------------------------------------------------------

  async function onLogin(event) {
    event.preventDefault();
    const hall = $("login-hall").value.trim();
    const staffId = $("login-staff").value.trim();
    const password = $("login-password").value;
    const missing = !hall ? ["login.need.hall", "login-hall"] : !staffId ? ["login.need.staff", "login-staff"] : !password ? ["login.need.password", "login-password"] : null;
    if (missing) {
      setFormError("login-error", t(missing[0]));
      $(missing[1]).focus();
      return;
    }
    const submit = $("login-submit");
    submit.disabled = true;
    submit.textContent = t("login.busy");
    setFormError("login-error", "");
    try {
      const result = await api("POST", "/auth/login", { hall, staff_id: staffId, password });
      S.token = result.token;
      S.hall = hall;
      sessionStorage.setItem(STORE.token, S.token);
      sessionStorage.setItem(STORE.hall, hall);
      $("login-password").value = "";
      await afterLogin();
    } catch (err) {
      setFormError("login-error", errorText(err));
      $("login-password").value = "";
      $("login-password").focus();
    } finally {
      submit.disabled = false;
      submit.textContent = t("login.submit");
    }
  }

  async function afterLogin() {
    S.me = await api("GET", "/auth/me");
    $("manage-offer").hidden = S.me.kind !== "manager"; // managers are offered their console
    $("manage-link").href = "/manage?hall=" + encodeURIComponent(S.me.hall.id);
    S.hall = S.me.hall.id;
    $("hall-name").textContent = S.me.hall.name;
    $("who-staff").textContent = S.me.name + "（" + S.me.id + "）";
    $("who-window").textContent = "";
    const remembered = sessionStorage.getItem(STORE.window);
    if (remembered && S.me.windows.includes(remembered)) {
      await enterDesk(remembered);
    } else {
      show("windows");
      await loadWindowChoice();
    }
  }

  async function logout() {
    const token = S.token;
    if (S.windowId) {
      try {
        await api("POST", windowPath("/sign-out"));
      } catch (_) {
        /* leaving anyway */
      }
    }
    if (token) {
      try {
        await api("POST", "/auth/logout");
      } catch (_) {
        /* the token dies with the session storage anyway */
      }
    }
    clearSession();
    showLogin("login.loggedout");
  }

  // -- choosing a window ------------------------------------------------------------------------

  async function loadWindowChoice() {
    const cards = $("window-cards");
    setFormError("pick-error", "");
    let windows;
    try {
      const [list, queues] = await Promise.all([api("GET", hallPath("/windows")), api("GET", hallPath("/queues"))]);
      S.queues = queues;
      windows = list;
      S.windowsById = Object.fromEntries(list.map((w) => [w.id, w]));
    } catch (err) {
      setFormError("pick-error", errorText(err));
      return;
    }
    const mine = windows.filter((w) => S.me.windows.includes(w.id));
    cards.replaceChildren();
    if (!mine.length) {
      setFormError("pick-error", t("pick.none"));
      return;
    }
    for (const w of mine) {
      const card = document.createElement("button");
      card.type = "button";
      card.className = "window-card";
      card.dataset.window = w.id;
      const staff = w.staff;
      let state = t("pick.free");
      let kind = "free";
      if (staff && staff.id === S.me.id) {
        state = t("pick.mine");
        kind = "mine";
      } else if (staff) {
        state = t("pick.other", { name: staff.name, id: staff.id });
        kind = "other";
      }
      card.dataset.kind = kind;
      card.append(
        el("span", "window-card-name", w.name),
        el("span", "window-card-queues", w.queues.map(queueName).join("、")),
        el("span", "window-card-state", state + (w.paused ? " · " + t("pick.paused") : "") + (w.current ? " · " + t("pick.current", { number: w.current.number }) : ""))
      );
      card.addEventListener("click", () => chooseWindow(w.id, card));
      cards.append(card);
    }
    const first = cards.querySelector('[data-kind="mine"]') || cards.querySelector("button");
    if (first) first.focus();
  }

  async function chooseWindow(windowId, card) {
    if (card) card.disabled = true;
    try {
      await enterDesk(windowId);
    } catch (err) {
      setFormError("pick-error", errorText(err));
    } finally {
      if (card) card.disabled = false;
    }
  }

  async function enterDesk(windowId) {
    await api("POST", hallPath("/windows/" + encodeURIComponent(windowId) + "/sign-in"));
    S.windowId = windowId;
    sessionStorage.setItem(STORE.window, windowId);
    S.notice = null;
    show("desk");
    await Promise.all([loadHallInfo(), refresh()]);
    setNotice("done.signin", { window: S.window ? S.window.name : windowId }, "info");
    startStream();
    clearInterval(S.safetyTimer);
    S.safetyTimer = setInterval(() => scheduleRefresh(0), SAFETY_REFRESH_MS);
    clearInterval(S.clockTimer);
    S.clockTimer = setInterval(() => {
      renderWaiting();
      fitLists();
    }, 30000);
    document.activeElement && document.activeElement.blur && document.activeElement.blur();
  }

  async function loadHallInfo() {
    try {
      const started = Date.now();
      S.hallInfo = await api("GET", hallPath(""));
      const serverNow = Date.parse(S.hallInfo.now);
      if (!Number.isNaN(serverNow)) S.clockSkewMs = serverNow - (started + Date.now()) / 2;
      const list = await api("GET", hallPath("/windows"));
      S.windowsById = Object.fromEntries(list.map((w) => [w.id, w]));
    } catch (_) {
      /* times then use the local clock and zone */
    }
  }

  async function switchWindow() {
    if (currentLive()) {
      setNotice("not.now.switch", null, "warn");
      return;
    }
    try {
      await api("POST", windowPath("/sign-out"));
    } catch (_) {
      /* moving on anyway */
    }
    stopStream();
    S.windowId = null;
    S.window = null;
    sessionStorage.removeItem(STORE.window);
    $("who-window").textContent = "";
    show("windows");
    await loadWindowChoice();
  }

  // -- loading the desk -------------------------------------------------------------------------

  function scheduleRefresh(delay) {
    if (!S.windowId) return;
    clearTimeout(S.refreshTimer);
    S.refreshTimer = setTimeout(refresh, delay === undefined ? REFRESH_DELAY_MS : delay);
  }

  async function refresh() {
    if (!S.windowId) return;
    if (S.refreshing) {
      S.refreshAgain = true; // one more pass when this one ends: never drop a change
      return S.refreshing;
    }
    const windowId = S.windowId;
    S.refreshing = (async () => {
      try {
        const [win, waiting, missed, queues] = await Promise.all([
          api("GET", windowPath("")),
          api("GET", windowPath("/waiting?limit=60")),
          api("GET", hallPath("/tickets?status=missed")),
          api("GET", hallPath("/queues")),
        ]);
        if (windowId !== S.windowId) return;
        S.window = win;
        S.waiting = waiting;
        S.missed = missed.filter((ticket) => ticket.last_window === windowId).reverse();
        S.queues = queues;
        renderDesk();
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 401)) setNotice(null, null, "error", errorText(err));
      }
    })();
    try {
      await S.refreshing;
    } finally {
      S.refreshing = null;
      if (S.refreshAgain) {
        S.refreshAgain = false;
        scheduleRefresh(0);
      }
    }
  }

  // -- rendering --------------------------------------------------------------------------------

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function currentTicket() {
    return S.window ? S.window.current_ticket : null;
  }

  function currentLive() {
    const cur = currentTicket();
    return cur && LIVE.includes(cur.status) ? cur : null;
  }

  function formatTime(iso) {
    if (!iso) return "";
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return "";
    const zone = S.hallInfo && S.hallInfo.timezone;
    try {
      return new Intl.DateTimeFormat("zh-CN", { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: zone || undefined }).format(date);
    } catch (_) {
      return date.toTimeString().slice(0, 5);
    }
  }

  function waitedText(iso) {
    const minutes = Math.floor((Date.now() + S.clockSkewMs - Date.parse(iso)) / 60000);
    return minutes >= 1 ? t("desk.waited", { m: minutes }) : t("desk.waited.0");
  }

  function renderDesk() {
    if (!S.window) return;
    const w = S.window;
    $("who-window").textContent = w.name;
    renderCurrent();
    renderActions();
    renderWaiting();
    renderMissed();
    renderQueues();
    renderNotice();
    fitLists();
  }

  function renderCurrent() {
    const w = S.window;
    const cur = currentLive();
    const box = $("current");
    box.dataset.status = cur ? cur.status : w.paused ? "paused" : "none";
    const state = $("window-state");
    state.dataset.state = w.status;
    state.textContent = t("wstate." + w.status);
    const number = $("current-number");
    number.textContent = cur ? cur.number : w.paused ? t("wstate.paused") : t("desk.idle");
    number.dataset.empty = cur ? "false" : "true";
    let status;
    if (cur) {
      status = t("status." + cur.status);
      if (cur.status === "called") status += " · " + t("desk.called.hint");
      if (cur.recalls) status += " · " + t("desk.recalls", { n: cur.recalls });
    } else {
      status = w.paused ? t("desk.paused.hint") : t("desk.idle.hint");
    }
    $("current-status").textContent = status;
    const details = $("current-details");
    details.replaceChildren();
    if (!cur) return;
    const rows = [
      ["detail.queue", cur.queue + " " + queueName(cur.queue)],
      ["detail.item", cur.item_name],
      ["detail.issued", formatTime(cur.issued_at)],
      ["detail.channel", t("channel." + cur.channel)],
      ["detail.priority", cur.priority && cur.priority !== "ordinary" ? t("prio." + cur.priority) : null],
      ["detail.slot", cur.slot_start ? formatTime(cur.slot_start) + "–" + formatTime(cur.slot_end) : null],
      ["detail.holder", cur.holder],
      ["detail.phone", cur.phone],
    ];
    for (const [key, value] of rows) {
      if (!value) continue;
      const item = el("div", "detail");
      item.append(el("dt", null, t(key)), el("dd", key === "detail.priority" ? "prio-" + cur.priority : null, value));
      details.append(item);
    }
  }

  // Which actions the current state allows, and why not when it does not.
  function refusal(action) {
    const w = S.window;
    if (!w) return "err.generic";
    const cur = currentLive();
    switch (action) {
      case "call":
        if (w.paused) return "not.now.call.paused";
        if (cur) return "not.now.call.busy";
        return null;
      case "recall":
      case "finish":
      case "transfer":
        return cur ? null : "not.now.ticket";
      case "start":
        return cur && cur.status === "called" ? null : cur ? "not.now.start" : "not.now.ticket";
      case "skip":
        return cur && cur.status === "called" ? null : cur ? "not.now.skip" : "not.now.ticket";
      case "pause":
        return null;
      default:
        return "err.generic";
    }
  }

  function renderActions() {
    for (const button of document.querySelectorAll("#actions [data-action]")) {
      const why = refusal(button.dataset.action);
      button.disabled = Boolean(why);
      const cur = currentLive();
      button.title = why ? t(why, { number: cur ? cur.number : "" }) : "";
    }
    const paused = S.window && S.window.paused;
    const pause = document.querySelector('#actions [data-action="pause"]');
    pause.dataset.paused = paused ? "true" : "false";
    $("pause-label").textContent = t(paused ? "act.resume" : "act.pause");
    $("switch-window").disabled = Boolean(currentLive());
  }

  function tagsFor(ticket) {
    const tags = [];
    if (ticket.priority === "green") tags.push(["green", t("prio.green")]);
    else if (ticket.priority === "reservation") tags.push(["reservation", t("prio.reservation")]);
    if (ticket.requeued) tags.push(["requeued", t("tag.requeued")]);
    if (ticket.transferred_to_window) {
      tags.push(["target", ticket.transferred_to_window === S.windowId ? t("tag.to.me") : t("tag.to.window", { window: windowName(ticket.transferred_to_window) })]);
    }
    return tags;
  }

  function renderWaiting() {
    if (!S.window) return;
    const list = $("waiting-list");
    const tickets = S.waiting.tickets || [];
    $("waiting-count").textContent = String(S.waiting.total || 0);
    list.replaceChildren();
    for (const ticket of tickets) {
      const row = el("li", "ticket-row");
      row.dataset.number = ticket.number;
      const what = el("span", "ticket-what");
      what.append(el("span", "ticket-queue", queueName(ticket.queue)));
      if (ticket.item_name) what.append(el("span", "ticket-item", ticket.item_name));
      const tags = el("span", "ticket-tags");
      for (const [kind, text] of tagsFor(ticket)) tags.append(el("span", "tag tag-" + kind, text));
      row.append(el("span", "ticket-number", ticket.number), what, tags, el("span", "ticket-waited", waitedText(ticket.issued_at)));
      list.append(row);
    }
    $("waiting-empty").hidden = tickets.length > 0;
  }

  function renderMissed() {
    const list = $("missed-list");
    list.replaceChildren();
    for (const ticket of S.missed) {
      const row = el("li", "ticket-row missed-row");
      row.dataset.number = ticket.number;
      const requeue = el("button", "btn btn-small", t("act.requeue"));
      requeue.type = "button";
      requeue.dataset.requeue = ticket.id;
      requeue.addEventListener("click", () => {
        requeue.blur();
        act("requeue", ticket);
      });
      row.append(
        el("span", "ticket-number", ticket.number),
        el("span", "ticket-what", queueName(ticket.queue) + (ticket.item_name ? " · " + ticket.item_name : "")),
        requeue
      );
      list.append(row);
    }
    $("missed-count").textContent = String(S.missed.length);
    $("missed-empty").hidden = S.missed.length > 0;
  }

  // The missed panel takes what it needs (up to its limit) first; the waiting list gets the rest.
  function fitLists() {
    if (!S.window) return;
    fitList($("missed-list"), $("missed-more"), 0);
    fitList($("waiting-list"), $("waiting-more"), (S.waiting.total || 0) - (S.waiting.tickets || []).length);
  }

  // Lists never scroll: rows that do not fit are hidden and counted in a line below.
  function fitList(list, more, notLoaded) {
    const rows = Array.from(list.children);
    rows.forEach((row) => (row.hidden = false));
    more.hidden = true;
    const limit = list.getBoundingClientRect().bottom;
    let hidden = 0;
    if (rows.length && rows[rows.length - 1].getBoundingClientRect().bottom > limit + 1) {
      more.hidden = false; // takes its line from the list before measuring again
      const bottom = list.getBoundingClientRect().bottom;
      for (const row of rows) {
        if (row.getBoundingClientRect().bottom > bottom + 1) {
          row.hidden = true;
          hidden += 1;
        }
      }
    }
    const total = hidden + Math.max(0, notLoaded);
    more.hidden = total === 0;
    more.textContent = total ? t("desk.more", { n: total }) : "";
  }

  function renderQueues() {
    const chips = $("queue-chips");
    chips.replaceChildren();
    const mine = S.window ? S.window.queues : [];
    const ordered = [...S.queues].sort((a, b) => Number(mine.includes(b.id)) - Number(mine.includes(a.id)));
    for (const queue of ordered) {
      const chip = el("li", "queue-chip");
      chip.dataset.queue = queue.id;
      chip.dataset.mine = mine.includes(queue.id) ? "true" : "false";
      chip.append(el("span", "queue-chip-id", queue.id), el("span", "queue-chip-name", queueName(queue.id)), el("span", "queue-chip-count", t("desk.people", { n: queue.waiting })));
      chips.append(chip);
    }
  }

  // -- notices ----------------------------------------------------------------------------------

  function setNotice(key, vars, kind, text) {
    S.notice = { key, vars, kind: kind || "info", text, at: Date.now() };
    renderNotice();
  }

  function renderNotice() {
    const box = $("notice");
    const w = S.window;
    let notice = S.notice;
    // Someone else signed in at this window: say so until it changes.
    if (w && S.me && (!w.staff || w.staff.id !== S.me.id)) {
      const text = w.staff ? t("desk.signed.other", { name: w.staff.name, id: w.staff.id }) : t("desk.signed.none");
      box.replaceChildren(el("span", null, text));
      const again = el("button", "btn btn-small", t("desk.signin.again"));
      again.type = "button";
      again.id = "sign-in-again";
      again.addEventListener("click", signInAgain);
      box.append(again);
      box.dataset.kind = "warn";
      box.hidden = false;
      return;
    }
    if (!notice) {
      box.hidden = true;
      box.textContent = "";
      return;
    }
    box.replaceChildren(el("span", null, notice.text || t(notice.key, notice.vars)));
    box.dataset.kind = notice.kind;
    box.hidden = false;
  }

  async function signInAgain() {
    try {
      await api("POST", windowPath("/sign-in"));
      await refresh();
    } catch (err) {
      setNotice(null, null, "error", errorText(err));
    }
  }

  // -- actions ----------------------------------------------------------------------------------

  async function perform(action) {
    if (S.busy || !S.window) return;
    if (action === "transfer") {
      if (refusal("transfer")) return setNotice(refusal("transfer"), null, "warn");
      return openTransfer();
    }
    const why = refusal(action);
    if (why) {
      const cur = currentLive();
      setNotice(why, { number: cur ? cur.number : "" }, "warn");
      return;
    }
    if (action === "call") return callNext();
    if (action === "pause") return togglePause();
    return act(action, currentLive());
  }

  async function withBusy(work) {
    S.busy = true;
    document.body.classList.add("busy");
    try {
      return await work();
    } finally {
      S.busy = false;
      document.body.classList.remove("busy");
    }
  }

  async function callNext() {
    await withBusy(async () => {
      try {
        const ticket = await api("POST", windowPath("/call-next"));
        if (ticket) setNotice("done.call", { number: ticket.number }, "ok");
        else setNotice("nothing.waiting", null, "info");
      } catch (err) {
        setNotice(null, null, "error", errorText(err));
      }
      await refresh();
    });
  }

  async function act(action, ticket, extra) {
    if (!ticket) return false;
    return withBusy(async () => {
      let ok = false;
      try {
        const updated = await api("POST", hallPath("/tickets/" + encodeURIComponent(ticket.id) + "/actions"), { action, ...(extra || {}) });
        const target = extra ? (extra.window ? windowName(extra.window) : queueName(extra.queue)) : "";
        setNotice("done." + action, { number: updated.number, target }, "ok");
        ok = true;
        // evaluated.js shows whether the citizen evaluated this service (好差评)
        if (action === "finish") document.dispatchEvent(new CustomEvent("staff:finished", { detail: { id: updated.id, number: updated.number } }));
      } catch (err) {
        if (action === "transfer") throw err;
        setNotice(null, null, "error", errorText(err));
      } finally {
        await refresh();
      }
      return ok;
    });
  }

  async function togglePause() {
    const pausing = !S.window.paused;
    await withBusy(async () => {
      try {
        await api("POST", windowPath(pausing ? "/pause" : "/resume"));
        setNotice(pausing ? "done.pause" : "done.resume", null, pausing ? "warn" : "ok");
      } catch (err) {
        setNotice(null, null, "error", errorText(err));
      }
      await refresh();
    });
  }

  // -- transfer dialog --------------------------------------------------------------------------

  let transferTicket = null;

  async function openTransfer() {
    const ticket = currentLive();
    if (!ticket) return;
    transferTicket = ticket;
    try {
      const [queues, windows] = await Promise.all([api("GET", hallPath("/queues")), api("GET", hallPath("/windows"))]);
      S.queues = queues;
      S.windowsById = Object.fromEntries(windows.map((w) => [w.id, w]));
    } catch (err) {
      setNotice(null, null, "error", errorText(err));
      return;
    }
    $("transfer-number").textContent = ticket.number;
    const options = $("transfer-queues");
    options.replaceChildren();
    for (const queue of S.queues) {
      const label = el("label", "queue-option");
      const radio = document.createElement("input");
      radio.type = "radio";
      radio.name = "transfer-queue";
      radio.value = queue.id;
      radio.addEventListener("change", () => {
        setFormError("transfer-error", "");
        fillTransferWindows();
      });
      label.append(radio, el("span", "queue-option-id", queue.id), el("span", "queue-option-name", queueName(queue.id)), el("span", "queue-option-count", t("desk.people", { n: queue.waiting })));
      if (queue.id === ticket.queue) label.classList.add("queue-option-same");
      options.append(label);
    }
    fillTransferWindows();
    setFormError("transfer-error", "");
    $("transfer-dialog").showModal();
    const first = options.querySelector("input:not(.queue-option-same input)") || options.querySelector("input");
    if (first) first.focus();
  }

  function chosenQueue() {
    const checked = document.querySelector('input[name="transfer-queue"]:checked');
    return checked ? checked.value : null;
  }

  function fillTransferWindows() {
    const select = $("transfer-window");
    const queue = chosenQueue();
    select.replaceChildren();
    const any = el("option", null, t("transfer.any"));
    any.value = "";
    select.append(any);
    select.disabled = !queue;
    if (!queue) return;
    for (const w of Object.values(S.windowsById)) {
      if (!w.queues.includes(queue)) continue;
      const option = el("option", null, w.name + (w.id === S.windowId ? t("transfer.this") : "") + " · " + t("wstate." + w.status) + (w.staff ? " · " + w.staff.name : ""));
      option.value = w.id;
      select.append(option);
    }
  }

  async function confirmTransfer(event) {
    event.preventDefault();
    const queue = chosenQueue();
    if (!queue) {
      setFormError("transfer-error", t("transfer.need.queue"));
      return;
    }
    const windowId = $("transfer-window").value || undefined;
    const body = windowId ? { queue, window: windowId } : { queue };
    $("transfer-confirm").disabled = true;
    try {
      await act("transfer", transferTicket, body);
      $("transfer-dialog").close();
    } catch (err) {
      setFormError("transfer-error", errorText(err));
    } finally {
      $("transfer-confirm").disabled = false;
    }
  }

  // -- keyboard ---------------------------------------------------------------------------------

  const KEYS = { F1: "call", " ": "call", F2: "recall", F3: "start", F4: "finish", F5: "skip", F6: "transfer", F8: "pause" };

  function onKey(event) {
    if (document.body.dataset.view !== "desk") return;
    if (event.ctrlKey || event.altKey || event.metaKey) return;
    const action = KEYS[event.key];
    if (!action) return;
    const dialogOpen = $("transfer-dialog").open;
    if (event.key === " ") {
      const target = event.target;
      const typing = target && ["INPUT", "SELECT", "TEXTAREA"].includes(target.tagName);
      if (dialogOpen || typing) return; // Space keeps its meaning inside forms
    }
    // The desk owns these keys: never the browser's help, reload or find by accident.
    event.preventDefault();
    if (event.repeat || dialogOpen) return;
    perform(action);
  }

  // -- the hall stream --------------------------------------------------------------------------

  function setConn(state) {
    S.connState = state;
    const box = $("conn");
    box.dataset.state = state;
    $("conn-text").textContent = state === "idle" ? "" : t("conn." + state);
  }

  function startStream() {
    stopStream();
    S.seq = null;
    S.attempt = 0;
    connect();
  }

  function stopStream() {
    clearTimeout(S.reconnectTimer);
    clearInterval(S.safetyTimer);
    clearInterval(S.clockTimer);
    if (S.ws) {
      const ws = S.ws;
      S.ws = null;
      ws.onclose = ws.onmessage = ws.onerror = ws.onopen = null;
      try {
        ws.close(1000);
      } catch (_) {
        /* already closed */
      }
    }
    setConn("idle");
  }

  function connect() {
    if (!S.token || !S.windowId) return;
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    let url = scheme + "//" + location.host + API + hallPath("/stream") + "?token=" + encodeURIComponent(S.token);
    if (S.seq !== null) url += "&since=" + S.seq;
    setConn(S.attempt ? "reconnecting" : "connecting");
    let ws;
    try {
      ws = new WebSocket(url);
    } catch (_) {
      return reconnectLater();
    }
    S.ws = ws;
    ws.onopen = () => {
      S.openedAt = Date.now();
      setConn("connected");
      if (S.attempt) scheduleRefresh(0); // catch up on anything the replay cannot say
    };
    ws.onmessage = (message) => {
      let data;
      try {
        data = JSON.parse(message.data);
      } catch (_) {
        return;
      }
      onStreamMessage(data);
    };
    ws.onclose = (event) => {
      if (S.ws !== ws) return;
      S.ws = null;
      if (event.code === 4401) return sessionEnded("login.expired");
      if (Date.now() - S.openedAt > STABLE_MS) S.attempt = 0;
      reconnectLater();
    };
  }

  function reconnectLater() {
    setConn("reconnecting");
    const base = BACKOFF_MS[Math.min(S.attempt, BACKOFF_MS.length - 1)];
    S.attempt += 1;
    const delay = base * (0.8 + Math.random() * 0.4);
    clearTimeout(S.reconnectTimer);
    S.reconnectTimer = setTimeout(connect, delay);
  }

  function onStreamMessage(data) {
    if (typeof data.seq === "number") S.seq = data.seq;
    if (data.type === "snapshot") {
      scheduleRefresh(0);
      return;
    }
    if (isRelevant(data)) scheduleRefresh();
  }

  function isRelevant(event) {
    const mine = S.window ? S.window.queues : [];
    switch (event.type) {
      case "window":
        return event.window === S.windowId;
      case "call":
      case "ticket":
        return event.window === S.windowId || mine.includes(event.queue);
      case "queue":
        if (mine.includes(event.queue)) return true;
        noteQueueCount(event.queue, event.waiting); // another queue: only its count changes
        return false;
      default:
        return false;
    }
  }

  function noteQueueCount(queueId, waiting) {
    const queue = S.queues.find((q) => q.id === queueId);
    if (!queue || typeof waiting !== "number") return;
    queue.waiting = waiting;
    renderQueues();
  }

  // -- start ------------------------------------------------------------------------------------

  function wire() {
    $("login-form").addEventListener("submit", onLogin);
    $("logout").addEventListener("click", logout);
    $("switch-window").addEventListener("click", switchWindow);
    $("lang-toggle").addEventListener("click", () => {
      $("lang-toggle").blur();
      S.lang = S.lang === "zh" ? "en" : "zh";
      localStorage.setItem(LANG_KEY, S.lang);
      applyLanguage();
    });
    for (const button of document.querySelectorAll("#actions [data-action]")) {
      button.addEventListener("click", () => {
        button.blur(); // Space and Enter stay shortcuts, not a repeat of the last button
        perform(button.dataset.action);
      });
    }
    $("transfer-form").addEventListener("submit", confirmTransfer);
    $("transfer-cancel").addEventListener("click", () => $("transfer-dialog").close());
    document.addEventListener("keydown", onKey);
    window.addEventListener("online", () => {
      if (S.windowId && !S.ws) {
        clearTimeout(S.reconnectTimer);
        connect();
      }
    });
    window.addEventListener("resize", () => {
      if (S.windowId) fitLists();
    });
  }

  async function start() {
    wire();
    applyLanguage();
    if (!S.token) return showLogin();
    try {
      await afterLogin();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return;
      clearSession();
      showLogin();
      setFormError("login-error", errorText(err));
    }
  }

  start();
})();
