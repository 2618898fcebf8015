/* 综合屏: the newest call large (highlighted for a few seconds, a recall again), recent calls,
   every window's number and state (paged when they do not fit), waiting counts, clock, notice. */
"use strict";

(() => {
  const { Model, connect, clockInfo, formatClock, say, showConnection, el } = Hall;
  const $ = (id) => document.getElementById(id);
  const model = new Model();
  // Seconds a new call stays highlighted: `&highlight_s=N` (2 to 30), 6 by default.
  const HIGHLIGHT_MS = 1000 * Math.min(30, Math.max(2, Number(Hall.params.get("highlight_s")) || 6));
  // Seconds per page of windows and queues: `&page_s=N` (3 to 60), 8 by default.
  const PAGE_MS = 1000 * Math.min(60, Math.max(3, Number(Hall.params.get("page_s")) || 8));
  const DEFAULT_NOTICE = "请留意屏幕叫号信息，听到或看到您的号码请到对应窗口办理；过号请与窗口工作人员联系。Please watch the screen for your number.";

  let clock = { offsetMs: 0, timeZone: undefined };
  let windowPage = 0;
  let queuePage = 0;
  let highlightQueue = [];
  let highlighting = null;
  let highlightTimer = null;

  // ---- clock ----
  function tick() {
    const c = formatClock(new Date(Date.now() + clock.offsetMs), clock.timeZone);
    $("clock-time").textContent = c.time;
    $("clock-date").textContent = c.date;
  }
  setInterval(tick, 1000);
  tick();
  async function syncClock() {
    const info = await clockInfo();
    if (info) {
      clock = info;
      tick();
    }
  }

  // ---- layout: how many windows and queues fit on one page ----
  function windowGrid(n) {
    if (n <= 2) return { cols: Math.max(1, n), rows: 1 };
    if (n <= 4) return { cols: 2, rows: 2 };
    if (n <= 6) return { cols: 3, rows: 2 };
    if (n <= 9) return { cols: 3, rows: 3 };
    if (n <= 12) return { cols: 4, rows: 3 };
    return { cols: 4, rows: 4 };
  }
  const QUEUES_PER_PAGE = 8;

  const STATE_TEXT = {
    called: ["呼叫中", "Calling"],
    serving: ["办理中", "Serving"],
    idle: ["空闲", "Idle"],
    paused: ["暂停服务", "Paused"],
    closed: ["未开放", "Closed"],
  };

  function windowState(w) {
    if (w.status === "paused") return "paused";
    if (w.status === "closed") return "closed";
    if (w.current) return w.current.status === "serving" ? "serving" : "called";
    return "idle";
  }

  function renderWindows() {
    const all = Array.from(model.windows.values());
    const grid = windowGrid(all.length);
    const perPage = grid.cols * grid.rows;
    const pages = Math.max(1, Math.ceil(all.length / perPage));
    if (windowPage >= pages) windowPage = 0;
    const box = $("windows");
    box.style.setProperty("--cols", grid.cols);
    box.style.setProperty("--rows", grid.rows);
    box.replaceChildren();
    const flashing = highlighting ? highlighting.window : null;
    for (const w of all.slice(windowPage * perPage, (windowPage + 1) * perPage)) {
      const state = windowState(w);
      const card = el("div", "wcard");
      card.dataset.state = state;
      card.dataset.window = w.id;
      if (flashing === w.id) card.classList.add("flash");
      card.append(el("div", "wcard-name", w.name));
      card.append(el("div", "wcard-number", w.current ? w.current.number : "—"));
      const label = el("div", "wcard-state", STATE_TEXT[state][0]);
      label.append(el("span", "en", STATE_TEXT[state][1]));
      card.append(label);
      box.append(card);
    }
    $("window-page").textContent = pages > 1 ? `${windowPage + 1} / ${pages}` : "";
  }

  function renderQueues() {
    const all = Array.from(model.queues.values());
    const pages = Math.max(1, Math.ceil(all.length / QUEUES_PER_PAGE));
    if (queuePage >= pages) queuePage = 0;
    const box = $("queues");
    box.replaceChildren();
    for (const q of all.slice(queuePage * QUEUES_PER_PAGE, (queuePage + 1) * QUEUES_PER_PAGE)) {
      const chip = el("div", "qchip");
      chip.dataset.queue = q.id;
      const name = el("div", "qchip-name");
      name.append(el("span", "qchip-id", q.id), el("span", "", q.name));
      const count = el("div", "qchip-count");
      count.append(el("b", "", String(q.waiting)), el("span", "", " 人"));
      chip.append(name, count);
      box.append(chip);
    }
    $("queue-page").textContent = pages > 1 ? `${queuePage + 1} / ${pages}` : "";
  }

  function renderNow() {
    const call = highlighting || model.recent[0] || null;
    const now = $("now");
    now.dataset.state = highlighting ? "flash" : call ? "shown" : "idle";
    now.classList.toggle("recall", !!(highlighting && highlighting.recall));
    $("now-number").textContent = call ? call.number : "—";
    const win = $("now-window");
    win.replaceChildren();
    if (call) {
      win.append(el("span", "", "请到 "), el("b", "", call.window_name || call.window), el("span", "", " 办理"));
    } else {
      win.textContent = "请留意叫号";
    }
  }

  function renderRecent() {
    const shown = highlighting || model.recent[0];
    const list = $("recent");
    list.replaceChildren();
    const rest = model.recent.filter((c) => !(shown && c.number === shown.number && c.window === shown.window)).slice(0, 6);
    for (const c of rest) {
      const li = el("li", "");
      li.append(el("span", "r-number", c.number), el("span", "r-arrow", "→"), el("span", "r-window", c.window_name || c.window));
      list.append(li);
    }
    if (!rest.length) list.append(el("li", "r-empty", "暂无"));
  }

  function renderNotice() {
    const text = (model.hall.notice || "").trim() || DEFAULT_NOTICE;
    const span = $("notice");
    if (span.textContent !== text) {
      span.textContent = text;
      // Constant reading speed whatever the length: about 6 characters a second.
      span.style.setProperty("--dur", `${Math.max(12, Math.round(text.length / 6 + 8))}s`);
    }
  }

  function renderAll() {
    $("hall-name").textContent = model.hall.name || "政务服务中心";
    document.title = `${model.hall.name || ""} 综合屏`;
    renderNow();
    renderRecent();
    renderWindows();
    renderQueues();
    renderNotice();
  }

  // ---- highlight of new calls, one after another ----
  function highlight(call) {
    highlightQueue.push(call);
    if (highlightQueue.length > 5) highlightQueue = highlightQueue.slice(-5);
    if (!highlighting) nextHighlight();
  }
  function nextHighlight() {
    clearTimeout(highlightTimer);
    highlighting = highlightQueue.shift() || null;
    if (highlighting) {
      // Show the called window's page so its card flashes too.
      const all = Array.from(model.windows.keys());
      const index = all.indexOf(highlighting.window);
      const grid = windowGrid(all.length);
      if (index >= 0) windowPage = Math.floor(index / (grid.cols * grid.rows));
      say(highlighting);
      highlightTimer = setTimeout(nextHighlight, highlightQueue.length ? HIGHLIGHT_MS / 2 : HIGHLIGHT_MS);
    }
    renderAll();
  }

  // ---- pages rotate ----
  setInterval(() => {
    if (!highlighting) windowPage += 1;
    queuePage += 1;
    renderWindows();
    renderQueues();
  }, PAGE_MS);

  connect(model, {
    onSnapshot: () => {
      renderAll();
      syncClock();
    },
    onEvent: (m, call) => {
      if (call) highlight({ number: call.number, window: call.window, window_name: call.window_name, recall: !!call.recall });
      else if (m.type === "queue") renderQueues();
      else renderAll();
      if (call) renderAll();
    },
    onState: (state, detail) => showConnection($("conn"), state, detail, "连接中断，正在重连… Connection lost"),
  });
  renderAll();
})();
