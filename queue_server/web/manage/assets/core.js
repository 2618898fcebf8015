/* The manager's console, shared part: words, the API, the session, the views and their navigation,
   dialogs, notices, times. Each view (live.js, devices.js, audit.js, reservations.js) registers
   itself in M.views; start.js starts the page. The token lives in sessionStorage only: closing the
   tab ends it here. A manager who logged in at the staff console in this tab is taken in as is. */
"use strict";

window.M = (function () {
  const API = "/api/v1";
  const KEY = { token: "manage.token", hall: "manage.hall", staffToken: "staff.token", staffHall: "staff.hall" };
  const LANG_KEY = "manage.lang"; // a preference, not a secret
  const VIEWS = ["live", "devices", "audit", "reservations", "statistics"];

  const $ = (id) => document.getElementById(id);
  const S = {
    lang: localStorage.getItem(LANG_KEY) === "en" ? "en" : "zh",
    token: sessionStorage.getItem(KEY.token),
    hall: sessionStorage.getItem(KEY.hall),
    me: null, // GET /auth/me
    ctx: null, // GET …/manage/context
    skewMs: 0, // server clock minus ours
    view: null,
  };
  const views = {};

  // -- words ------------------------------------------------------------------------------------

  function t(key, vars) {
    const table = window.MANAGE_TEXT[S.lang] || window.MANAGE_TEXT.zh;
    let text = table[key] !== undefined ? table[key] : window.MANAGE_TEXT.zh[key];
    if (text === undefined) return key;
    if (vars) text = text.replace(/\{(\w+)\}/g, (_, name) => (vars[name] === undefined ? "" : String(vars[name])));
    return text;
  }

  function applyLanguage() {
    document.documentElement.lang = S.lang === "en" ? "en" : "zh-CN";
    document.title = t("app.title");
    document.querySelectorAll("[data-i18n]").forEach((node) => (node.textContent = t(node.dataset.i18n)));
    document.querySelectorAll("[data-i18n-title]").forEach((node) => (node.title = t(node.dataset.i18nTitle)));
    $("lang-toggle").textContent = t("top.lang");
    setConn($("conn").dataset.state);
    for (const view of Object.values(views)) if (view.language) view.language();
  }

  function queueName(id) {
    const queue = S.ctx && S.ctx.queues.find((q) => q.id === id);
    if (!queue) return id;
    return S.lang === "en" && queue.name_en ? queue.name_en : queue.name;
  }

  function windowName(id) {
    const found = S.ctx && S.ctx.windows.find((w) => w.id === id);
    return found ? found.name : id;
  }

  function personName(actor) {
    if (!actor) return "";
    if (actor === "system") return t("audit.system");
    const id = actor.includes(":") ? actor.split(":")[1] : actor;
    const person = S.ctx && S.ctx.staff.find((p) => p.id === id);
    return person ? person.name + "（" + person.id + "）" : actor;
  }

  // -- times ------------------------------------------------------------------------------------

  const now = () => Date.now() + S.skewMs;

  function formatTime(iso, options) {
    if (!iso) return "";
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return "";
    const opts = { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: (S.ctx && S.ctx.timezone) || undefined };
    if (options && options.seconds) opts.second = "2-digit";
    if (options && options.date) Object.assign(opts, { year: "numeric", month: "2-digit", day: "2-digit" });
    try {
      return new Intl.DateTimeFormat("zh-CN", opts).format(date);
    } catch (_) {
      return date.toISOString();
    }
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return t("dur.none");
    const s = Math.max(0, Math.floor(seconds));
    if (s < 60) return t("dur.s", { n: s });
    const m = Math.floor(s / 60);
    if (m < 60) return t("dur.m", { n: m });
    return t("dur.h", { h: Math.floor(m / 60), m: m % 60 });
  }

  const since = (iso) => (iso ? (now() - Date.parse(iso)) / 1000 : null);

  /** The hall's local date and time of an instant, as a datetime-local input shows it. */
  function localInput(ms) {
    const parts = {};
    new Intl.DateTimeFormat("en-CA", {
      timeZone: (S.ctx && S.ctx.timezone) || undefined, year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hour12: false,
    }).formatToParts(new Date(ms)).forEach((p) => (parts[p.type] = p.value));
    return `${parts.year}-${parts.month}-${parts.day}T${parts.hour === "24" ? "00" : parts.hour}:${parts.minute}`;
  }

  /** A datetime-local value read in the hall's time zone, as ISO 8601 with its offset. */
  function zonedIso(value) {
    if (!value) return null;
    const guess = Date.parse(value + ":00Z");
    if (Number.isNaN(guess)) return null;
    // The zone's offset at that moment: compare the wall clock there with UTC.
    const wall = Date.parse(localInput(guess) + ":00Z");
    const offsetMin = Math.round((wall - guess) / 60000);
    const sign = offsetMin >= 0 ? "+" : "-";
    const abs = Math.abs(offsetMin);
    const pad = (n) => String(n).padStart(2, "0");
    return `${value}:00${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
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

  async function request(method, path, body) {
    const headers = { Accept: "application/json" };
    if (S.token) headers.Authorization = "Bearer " + S.token;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(API + path, {
      method, headers, cache: "no-store", body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      let data = null;
      try {
        data = await response.json();
      } catch (_) {
        data = null;
      }
      if (response.status === 401 && S.token && path !== "/auth/login") sessionEnded("login.expired");
      throw new ApiError(response.status, data);
    }
    return response;
  }

  async function api(method, path, body) {
    const response = await request(method, path, body);
    if (response.status === 204) return null;
    return response.json();
  }

  /** GET a file from the API and save it under the name the server gives; the reply's headers. */
  async function download(path, fallbackName) {
    const response = await request("GET", path);
    const blob = await response.blob();
    const name = (/filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "") || [])[1] || fallbackName;
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
    return { name, headers: response.headers };
  }

  const hallPath = (suffix) => "/halls/" + encodeURIComponent(S.hall) + (suffix || "");
  const managePath = (suffix) => hallPath("/manage" + (suffix || ""));

  // -- small things -----------------------------------------------------------------------------

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function setError(id, text) {
    const node = $(id);
    node.textContent = text || "";
    node.hidden = !text;
  }

  let noticeTimer = null;
  function notice(text, kind) {
    const box = $("notice");
    box.textContent = text;
    box.dataset.kind = kind || "ok";
    box.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => (box.hidden = true), kind === "error" ? 8000 : 4000);
  }

  function setConn(state) {
    const box = $("conn");
    box.dataset.state = state;
    $("conn-text").textContent = state === "idle" ? "" : t("conn." + state);
  }

  // -- views ------------------------------------------------------------------------------------

  function show(name) {
    const signedIn = name !== "login";
    for (const view of ["login", ...VIEWS]) $("view-" + view).hidden = view !== name;
    for (const id of ["nav", "who", "logout", "to-staff", "clock", "conn"]) $(id).hidden = !signedIn;
    document.body.dataset.view = name;
    document.querySelectorAll("[data-nav]").forEach((link) => {
      if (link.dataset.nav === name) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    });
    if (S.view && S.view !== name && views[S.view] && views[S.view].leave) views[S.view].leave();
    const entering = S.view !== name;
    S.view = name;
    if (entering && views[name] && views[name].enter) views[name].enter();
  }

  function route() {
    if (!S.ctx) return;
    const wanted = location.hash.replace("#", "");
    show(VIEWS.includes(wanted) ? wanted : "live");
  }

  // -- session ----------------------------------------------------------------------------------

  function showLogin(messageKey, isError) {
    for (const view of Object.values(views)) if (view.stop) view.stop();
    S.ctx = null;
    show("login");
    const hall = new URLSearchParams(location.search).get("hall") || S.hall || "";
    if (!$("login-hall").value) $("login-hall").value = hall;
    $("login-password").value = "";
    setError("login-error", messageKey && isError !== false ? t(messageKey) : "");
    if (messageKey && isError === false) notice(t(messageKey), "ok");
    const first = ["login-hall", "login-staff", "login-password"].map($).find((input) => !input.value);
    (first || $("login-password")).focus();
  }

  function keep(token, hall) {
    S.token = token;
    S.hall = hall;
    sessionStorage.setItem(KEY.token, token);
    sessionStorage.setItem(KEY.hall, hall);
  }

  function clearSession() {
    S.token = null;
    S.me = null;
    sessionStorage.removeItem(KEY.token);
    if (sessionStorage.getItem(KEY.staffToken)) sessionStorage.removeItem(KEY.staffToken);
  }

  function sessionEnded(messageKey) {
    if (!S.token) return;
    clearSession();
    showLogin(messageKey);
  }

  async function onLogin(event) {
    event.preventDefault();
    const hall = $("login-hall").value.trim();
    const staffId = $("login-staff").value.trim();
    const password = $("login-password").value;
    const missing = !hall ? ["login.need.hall", "login-hall"] : !staffId ? ["login.need.staff", "login-staff"]
      : !password ? ["login.need.password", "login-password"] : null;
    if (missing) {
      setError("login-error", t(missing[0]));
      $(missing[1]).focus();
      return;
    }
    const submit = $("login-submit");
    submit.disabled = true;
    submit.textContent = t("login.busy");
    setError("login-error", "");
    try {
      const result = await api("POST", "/auth/login", { hall, staff_id: staffId, password });
      if (result.staff.role !== "manager") {
        // Not for this console: end the new token at once, keep nothing.
        await fetch(API + "/auth/logout", { method: "POST", headers: { Authorization: "Bearer " + result.token } }).catch(() => null);
        setError("login-error", t("login.not.manager"));
        $("login-password").value = "";
        return;
      }
      keep(result.token, hall);
      $("login-password").value = "";
      await enter();
    } catch (err) {
      setError("login-error", errorText(err));
      $("login-password").value = "";
      $("login-password").focus();
    } finally {
      submit.disabled = false;
      submit.textContent = t("login.submit");
    }
  }

  /** A manager who logged in at the staff console in this tab needs no second login. */
  async function adoptStaffToken() {
    const token = sessionStorage.getItem(KEY.staffToken);
    if (S.token || !token) return;
    try {
      const response = await fetch(API + "/auth/me", { headers: { Authorization: "Bearer " + token }, cache: "no-store" });
      if (!response.ok) return;
      const me = await response.json();
      if (me.kind === "manager") keep(token, me.hall.id);
    } catch (_) {
      /* the login form then */
    }
  }

  async function enter() {
    S.me = await api("GET", "/auth/me");
    if (S.me.kind !== "manager") {
      clearSession();
      return showLogin("login.not.manager");
    }
    S.hall = S.me.hall.id;
    const started = Date.now();
    S.ctx = await api("GET", managePath("/context"));
    const serverNow = Date.parse(S.ctx.now);
    if (!Number.isNaN(serverNow)) S.skewMs = serverNow - (started + Date.now()) / 2;
    $("hall-name").textContent = S.ctx.hall.name;
    $("who").textContent = S.ctx.me.name + "（" + S.ctx.me.id + "）";
    $("to-staff").href = S.ctx.links.staff_console;
    const evaluations = $("nav-evaluations");
    evaluations.hidden = !S.ctx.links.evaluations;
    if (S.ctx.links.evaluations) evaluations.href = S.ctx.links.evaluations;
    if (new URLSearchParams(location.search).get("hall") !== S.hall) {
      history.replaceState(null, "", "/manage?hall=" + encodeURIComponent(S.hall) + location.hash);
    }
    for (const view of Object.values(views)) if (view.begin) view.begin();
    route();
  }

  async function logout() {
    const token = S.token;
    for (const view of Object.values(views)) if (view.stop) view.stop();
    if (token) {
      try {
        await api("POST", "/auth/logout");
      } catch (_) {
        /* the token dies with the session storage anyway */
      }
    }
    clearSession();
    showLogin("login.loggedout", false);
  }

  function tickClock() {
    if (!S.ctx) return;
    $("clock").textContent = formatTime(new Date(now()).toISOString(), { seconds: true });
  }

  // -- dialogs ----------------------------------------------------------------------------------

  /** confirm({title, text, warn, note, ok, action(note)}): a confirmation step; the action's
      refusal is shown in the dialog and nothing else happens. */
  function confirmStep(options) {
    const dialog = $("confirm-dialog");
    $("confirm-title").textContent = options.title;
    $("confirm-text").textContent = options.text;
    $("confirm-warn").textContent = options.warn || "";
    $("confirm-warn").hidden = !options.warn;
    $("confirm-note-field").hidden = !options.note;
    $("confirm-note").value = "";
    $("confirm-ok").textContent = options.ok;
    setError("confirm-error", "");
    confirmAction = options.action;
    dialog.showModal();
    (options.note ? $("confirm-note") : $("confirm-ok")).focus();
  }

  let confirmAction = null;
  async function onConfirm(event) {
    event.preventDefault();
    if (!confirmAction) return;
    const ok = $("confirm-ok");
    ok.disabled = true;
    try {
      await confirmAction($("confirm-note").value.trim());
      $("confirm-dialog").close();
    } catch (err) {
      setError("confirm-error", errorText(err));
    } finally {
      ok.disabled = false;
    }
  }

  // -- start ------------------------------------------------------------------------------------

  async function start() {
    $("login-form").addEventListener("submit", onLogin);
    $("logout").addEventListener("click", logout);
    $("lang-toggle").addEventListener("click", () => {
      $("lang-toggle").blur();
      S.lang = S.lang === "zh" ? "en" : "zh";
      localStorage.setItem(LANG_KEY, S.lang);
      applyLanguage();
    });
    $("confirm-form").addEventListener("submit", onConfirm);
    $("confirm-cancel").addEventListener("click", () => $("confirm-dialog").close());
    window.addEventListener("hashchange", route);
    setInterval(tickClock, 1000);
    applyLanguage();
    await adoptStaffToken();
    if (!S.token) return showLogin();
    try {
      await enter();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return;
      clearSession();
      showLogin();
      setError("login-error", errorText(err));
    }
  }

  return {
    S, $, t, el, api, request, download, ApiError, errorText, hallPath, managePath, views, setError, notice, setConn,
    queueName, windowName, personName, formatTime, duration, since, now, localInput, zonedIso, confirmStep, start,
    API,
  };
})();
