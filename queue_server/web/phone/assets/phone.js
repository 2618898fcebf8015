/* The citizen's phone page: follows one ticket through /api/v1/track/{id}/stream?k=… and shows
   its position, estimate and, when called, a full-screen banner with the window (vibration and a
   notification where the phone allows). Reconnects by itself; Chinese first, English on a tap. */
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const ticketId = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop() || "");
  const secret = new URLSearchParams(location.search).get("k") || "";
  const AHEAD_WARNING = 3;

  const TEXT = {
    zh: {
      your_number: "您的号码", loading: "正在获取号票信息…", soon_text: "请回到等候区，留意屏幕和本页的叫号提醒。",
      enable_alerts: "开启叫号提醒", called_title: "轮到您了", please_go: "请到", to_handle: "办理业务", got_it: "我知道了",
      ahead: (n) => `前面还有 <b>${n}</b> 人`, next: "下一位就是您", wait_min: (m) => `预计等待约 ${m} 分钟`,
      wait_soon: "即将叫号", wait_unknown: "暂时无法估算等待时间",
      soon_title: (n) => (n > 0 ? `前面还有${n}人` : "马上就轮到您了"),
      called: (w) => `请到 <b>${w}</b> 办理`, serving: (w) => `正在 <b>${w}</b> 办理`,
      done: "办理完成，感谢您的耐心等待", missed: "您已过号，请联系窗口工作人员", cancelled: "号票已取消",
      expired: "号票已过期（仅当日有效）", issued: (t) => `取号时间 ${t}`,
      live: "实时更新中", lost: "连接中断，正在重连…", connecting: "正在连接…",
      invalid: "号票不存在或链接无效", invalid_sub: "请重新扫描号票上的二维码，或咨询大厅工作人员。",
      alerts_on: "叫号提醒已开启", alerts_denied: "通知未获允许，可在浏览器设置中开启；本页开着时仍会提示。",
      notif_called: (n, w) => `${n}号，请到${w}办理`, notif_soon: (n, a) => `${n}号前面还有${a}人`, lang: "EN",
      page_title: "我的号票",
    },
    en: {
      your_number: "Your number", loading: "Loading your ticket…", soon_text: "Please return to the waiting area and watch the screens and this page.",
      enable_alerts: "Turn on call alerts", called_title: "It's your turn", please_go: "Please go to", to_handle: "", got_it: "OK",
      ahead: (n) => `<b>${n}</b> ${n === 1 ? "person" : "people"} ahead of you`, next: "You are next", wait_min: (m) => `About ${m} min to wait`,
      wait_soon: "You will be called soon", wait_unknown: "No wait estimate yet",
      soon_title: (n) => (n > 0 ? `${n} ahead of you` : "Almost your turn"),
      called: (w) => `Please go to <b>${w}</b>`, serving: (w) => `Being served at <b>${w}</b>`,
      done: "Finished. Thank you for waiting", missed: "Your number was missed; please ask at a window", cancelled: "This ticket was cancelled",
      expired: "This ticket has expired (valid on its day only)", issued: (t) => `Taken at ${t}`,
      live: "Live", lost: "Connection lost, reconnecting…", connecting: "Connecting…",
      invalid: "Ticket not found or link not valid", invalid_sub: "Please scan the QR code on your ticket again, or ask the hall staff.",
      alerts_on: "Call alerts are on", alerts_denied: "Notifications are blocked; you can allow them in the browser settings. This page still alerts you while open.",
      notif_called: (n, w) => `${n}: please go to ${w}`, notif_soon: (n, a) => `${n}: ${a} ahead of you`, lang: "中文",
      page_title: "My ticket",
    },
  };
  let lang = "zh";
  try {
    if (localStorage.getItem("phone-lang") === "en") lang = "en";
  } catch (e) { /* private mode */ }
  const t = (key, ...args) => {
    const v = TEXT[lang][key];
    return typeof v === "function" ? v(...args) : v;
  };
  const escape = (s) => String(s == null ? "" : s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

  let ticket = null; // the last message
  let previous = null;
  let bannerDismissed = false;
  let connState = "connecting";
  let invalid = false;

  // ---- rendering ----
  function render() {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.title = ticket ? `${ticket.number} · ${t("page_title")}` : t("page_title");
    for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
    $("lang").textContent = t("lang");
    renderConn();
    renderNotifyButton();
    const status = $("status");
    if (invalid) {
      status.dataset.status = "invalid";
      $("number").textContent = "—";
      $("s-main").textContent = t("invalid");
      $("s-sub").textContent = t("invalid_sub");
      $("soon").hidden = true;
      $("banner").hidden = true;
      return;
    }
    if (!ticket) return;
    $("hall-name").textContent = ticket.hall_name || "";
    $("number").textContent = ticket.number;
    $("queue").textContent = ticket.queue_name || ticket.queue || "";
    status.dataset.status = ticket.status;
    const main = $("s-main");
    const sub = $("s-sub");
    const windowName = escape(ticket.window_name || ticket.window || "");
    sub.textContent = "";
    switch (ticket.status) {
      case "waiting": {
        const ahead = ticket.waiting_ahead;
        main.innerHTML = ahead > 0 ? t("ahead", ahead) : escape(t("next"));
        const s = ticket.estimated_wait_s;
        sub.textContent = s == null ? t("wait_unknown") : s < 60 ? t("wait_soon") : t("wait_min", Math.ceil(s / 60));
        break;
      }
      case "called": main.innerHTML = t("called", windowName); break;
      case "serving": main.innerHTML = t("serving", windowName); break;
      default: main.textContent = t(ticket.status) || ticket.status;
    }
    const soon = ticket.status === "waiting" && ticket.waiting_ahead <= AHEAD_WARNING;
    $("soon").hidden = !soon;
    if (soon) $("soon-title").textContent = t("soon_title", ticket.waiting_ahead);
    const showBanner = ticket.status === "called" && !bannerDismissed;
    $("banner").hidden = !showBanner;
    document.body.classList.toggle("has-banner", showBanner);
    if (showBanner) {
      $("b-number").textContent = ticket.number;
      $("b-window").textContent = ticket.window_name || ticket.window || "";
    }
    const issued = ticket.issued_at ? new Date(ticket.issued_at) : null;
    $("meta").textContent = issued && !isNaN(issued) ? t("issued", issued.toLocaleTimeString(lang === "zh" ? "zh-CN" : "en-GB", { hour: "2-digit", minute: "2-digit" })) : "";
    // evaluate.js turns the page into the evaluation form once the ticket is done (好差评)
    document.dispatchEvent(new CustomEvent("phone:render", { detail: { ticket, lang } }));
  }

  function renderConn() {
    const conn = $("conn");
    conn.dataset.state = connState;
    conn.textContent = invalid ? "" : t(connState);
  }

  function renderNotifyButton() {
    const button = $("notify-btn");
    const hint = $("notify-hint");
    const supported = "Notification" in window;
    const active = ticket && (ticket.status === "waiting" || ticket.status === "called");
    button.hidden = !(supported && Notification.permission === "default" && active && !invalid);
    if (supported && Notification.permission === "granted" && active) {
      hint.hidden = false;
      hint.textContent = t("alerts_on");
    } else if (supported && Notification.permission === "denied" && active) {
      hint.hidden = false;
      hint.textContent = t("alerts_denied");
    } else {
      hint.hidden = true;
    }
  }

  // ---- alerts ----
  function vibrate(pattern) {
    try {
      if (navigator.vibrate) navigator.vibrate(pattern);
    } catch (e) { /* not allowed here */ }
  }
  async function registration() {
    if (!("serviceWorker" in navigator)) return null;
    try {
      return await navigator.serviceWorker.register("/t/sw.js", { scope: "/t/" });
    } catch (e) {
      return null;
    }
  }
  async function notify(title, body) {
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    const options = { body, tag: `ticket-${ticketId}`, renotify: true, data: { url: location.href }, vibrate: [300, 150, 300] };
    const reg = await registration();
    try {
      if (reg && reg.showNotification) {
        await reg.showNotification(title, options);
        return;
      }
    } catch (e) { /* fall through */ }
    try {
      new Notification(title, options); // desktop browsers
    } catch (e) { /* phones without a service worker */ }
  }

  function alertChanges() {
    if (!ticket) return;
    const was = previous;
    const recalled = was && was.status === "called" && (ticket.recalls || 0) > (was.recalls || 0);
    if (ticket.status === "called" && (!was || was.status !== "called" || was.window !== ticket.window || recalled)) {
      bannerDismissed = false;
      if (was) { // only a change seen live, not the first load of an already called ticket
        vibrate([500, 200, 500, 200, 500]);
        notify(t("called_title"), t("notif_called", ticket.number, ticket.window_name || ticket.window));
      }
    }
    if (ticket.status === "waiting" && ticket.waiting_ahead <= AHEAD_WARNING && was && was.status === "waiting" && was.waiting_ahead > AHEAD_WARNING) {
      vibrate([200, 100, 200]);
      notify(t("soon_title", ticket.waiting_ahead), t("notif_soon", ticket.number, ticket.waiting_ahead));
    }
  }

  // ---- connection ----
  let socket = null;
  let attempt = 0;
  let lostTimer = null;
  let retryTimer = null;
  function setConn(state) {
    connState = state;
    renderConn();
  }
  function open() {
    clearTimeout(retryTimer);
    retryTimer = null;
    if (socket || invalid) return;
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${proto}//${location.host}/api/v1/track/${encodeURIComponent(ticketId)}/stream?k=${encodeURIComponent(secret)}`);
    socket = ws;
    ws.onmessage = (ev) => {
      let m;
      try {
        m = JSON.parse(ev.data);
      } catch (e) {
        return;
      }
      attempt = 0;
      clearTimeout(lostTimer);
      lostTimer = null;
      previous = ticket;
      ticket = m;
      alertChanges();
      connState = "live";
      render();
    };
    ws.onclose = (ev) => {
      if (socket !== ws) return;
      socket = null;
      if (ev.code === 4404) {
        invalid = true;
        render();
        return;
      }
      if (lostTimer === null && connState !== "lost") lostTimer = setTimeout(() => { lostTimer = null; setConn("lost"); }, 2000);
      const final = ticket && ["done", "cancelled", "expired"].includes(ticket.status);
      attempt += 1;
      const base = final ? 60000 : Math.min(10000, 500 * 2 ** Math.min(attempt, 5));
      retryTimer = setTimeout(open, base / 2 + Math.random() * (base / 2));
    };
    ws.onerror = () => {};
  }
  document.addEventListener("visibilitychange", () => {
    // A phone coming back from the lock screen: reconnect at once rather than wait for the backoff.
    if (!document.hidden && !socket) {
      attempt = 0;
      open();
    }
  });
  window.addEventListener("online", () => { if (!socket) { attempt = 0; open(); } });

  // ---- buttons ----
  $("lang").addEventListener("click", () => {
    lang = lang === "zh" ? "en" : "zh";
    try { localStorage.setItem("phone-lang", lang); } catch (e) { /* private mode */ }
    render();
  });
  $("b-ok").addEventListener("click", () => {
    bannerDismissed = true;
    render();
  });
  $("notify-btn").addEventListener("click", async () => {
    try {
      const result = await Notification.requestPermission();
      if (result === "granted") await registration();
    } catch (e) { /* old browsers */ }
    render();
  });

  render();
  open();
})();
