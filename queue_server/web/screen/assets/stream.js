/* The hall stream (CONTRACT §7) for the web screens: a model of the hall kept from the snapshot
   and the events, a WebSocket that reconnects with backoff and `since`, and the "connection lost"
   state. Browsers cannot see ping frames, so a closed socket or a failed reconnect counts as lost. */
"use strict";

const Hall = (() => {
  const params = new URLSearchParams(location.search);

  /** Everything a screen shows, rebuilt from a snapshot and kept up to date by events. */
  class Model {
    constructor() {
      this.reset();
    }
    reset() {
      this.hall = { id: "", name: "", notice: "" };
      this.windows = new Map(); // id → {id, name, status, queues, staff, current}
      this.queues = new Map(); // id → {id, name, waiting}
      this.recent = []; // newest first: {number, window, window_name, at}
      this.seq = 0;
    }
    snapshot(m) {
      this.reset();
      this.hall = Object.assign({ id: "", name: "", notice: "" }, m.hall || {});
      for (const w of m.windows || []) this.windows.set(w.id, Object.assign({}, w));
      for (const q of m.queues || []) this.queues.set(q.id, Object.assign({}, q));
      // A recall repeats a call: show each number and window once, newest first.
      const seen = new Set();
      this.recent = (m.recent_calls || []).filter((c) => {
        const key = `${c.number}@${c.window}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      }).slice(0, 20);
      this.seq = m.seq;
    }
    /** Applies one event; returns the call event when it is one (for highlight and voice). */
    apply(m) {
      this.seq = m.seq;
      if (m.type === "call") {
        const w = this.windows.get(m.window);
        if (w) {
          w.current = { number: m.number, status: "called" };
          if (m.window_name) w.name = m.window_name;
        }
        // A call of a number elsewhere (a transfer) leaves the other window.
        for (const other of this.windows.values()) {
          if (other.id !== m.window && other.current && other.current.number === m.number) other.current = null;
        }
        this.recent = [{ number: m.number, window: m.window, window_name: m.window_name, at: m.at, recall: !!m.recall }]
          .concat(this.recent.filter((c) => !(c.number === m.number && c.window === m.window)))
          .slice(0, 20);
        return m;
      }
      if (m.type === "ticket") {
        for (const w of this.windows.values()) {
          if (w.current && w.current.number === m.number) {
            if ((m.status === "called" || m.status === "serving") && m.window === w.id) w.current = { number: m.number, status: m.status };
            else w.current = null;
          }
        }
        if ((m.status === "called" || m.status === "serving") && m.window && this.windows.has(m.window)) {
          this.windows.get(m.window).current = { number: m.number, status: m.status };
        }
        if (m.status === "expired") this.recent = this.recent.filter((c) => c.number !== m.number);
      } else if (m.type === "queue") {
        const q = this.queues.get(m.queue);
        if (q) q.waiting = m.waiting;
        else this.queues.set(m.queue, { id: m.queue, name: m.queue, waiting: m.waiting });
      } else if (m.type === "window") {
        const w = this.windows.get(m.window) || { id: m.window, name: m.name || m.window, current: null };
        w.status = m.status;
        if (m.name) w.name = m.name;
        if (m.queues) w.queues = m.queues;
        w.staff = m.staff || null;
        this.windows.set(m.window, w);
      }
      return null;
    }
  }

  /**
   * connect({onSnapshot, onEvent, onState}) opens /api/v1/halls/{hall}/stream and keeps it open.
   * onState(state, detail): "connecting" | "live" | "lost" | "refused".
   */
  function connect(model, handlers) {
    const hall = params.get("hall") || "";
    const token = params.get("token") || "";
    const LOST_AFTER_MS = 2500;
    let socket = null;
    let attempt = 0;
    let lostTimer = null;
    let synced = false; // we have a model to resume from
    let state = "connecting";
    let retryTimer = null;

    function setState(next, detail) {
      state = next;
      handlers.onState && handlers.onState(next, detail);
    }
    function markLostSoon() {
      if (lostTimer === null) lostTimer = setTimeout(() => { lostTimer = null; setState("lost"); }, LOST_AFTER_MS);
    }
    function open() {
      if (!hall || !token) {
        setState("refused", "missing");
        return;
      }
      const proto = location.protocol === "https:" ? "wss:" : "ws:";
      let url = `${proto}//${location.host}/api/v1/halls/${encodeURIComponent(hall)}/stream?token=${encodeURIComponent(token)}`;
      if (synced) url += `&since=${model.seq}`;
      let ws;
      try {
        ws = new WebSocket(url);
      } catch (e) {
        retry();
        return;
      }
      socket = ws;
      let first = true;
      ws.onopen = () => {
        attempt = 0;
        if (synced) live(); // resuming: the missed events (if any) follow
      };
      ws.onmessage = (ev) => {
        let m;
        try {
          m = JSON.parse(ev.data);
        } catch (e) {
          return;
        }
        if (m.type === "snapshot") {
          model.snapshot(m);
          synced = true;
          handlers.onSnapshot && handlers.onSnapshot(m);
        } else if (synced) {
          if (typeof m.seq === "number" && m.seq <= model.seq) return; // already seen
          if (typeof m.seq === "number" && m.seq !== model.seq + 1) {
            // A gap: start again from a fresh snapshot.
            synced = false;
            ws.close();
            return;
          }
          const call = model.apply(m);
          handlers.onEvent && handlers.onEvent(m, call, first);
        }
        first = false;
        live();
      };
      ws.onclose = (ev) => {
        if (socket !== ws) return;
        socket = null;
        if (ev.code === 4401 || ev.code === 4403) {
          setState("refused", ev.code);
          attempt = Math.max(attempt, 5); // a token may be fixed on the server: retry slowly
        }
        if (state !== "refused") markLostSoon();
        retry();
      };
      ws.onerror = () => {};
    }
    function live() {
      if (lostTimer !== null) {
        clearTimeout(lostTimer);
        lostTimer = null;
      }
      if (state !== "live") setState("live");
    }
    function retry() {
      attempt += 1;
      const base = Math.min(10000, 500 * 2 ** Math.min(attempt, 5));
      const delay = base / 2 + Math.random() * (base / 2);
      clearTimeout(retryTimer);
      retryTimer = setTimeout(() => { retryTimer = null; open(); }, delay);
    }
    setState("connecting");
    open();
    // A box waking from sleep or a page brought back: reconnect at once if needed.
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden && socket === null && retryTimer !== null) {
        clearTimeout(retryTimer);
        retryTimer = null;
        attempt = 0;
        open();
      }
    });
    return { reconnectNow: () => socket && socket.close() };
  }

  /** Server time offset (TV boxes' clocks drift) and the hall's time zone, from GET /halls/{hall}. */
  async function clockInfo() {
    const hall = params.get("hall") || "";
    const token = params.get("token") || "";
    try {
      const r = await fetch(`/api/v1/halls/${encodeURIComponent(hall)}`, { headers: { Authorization: `Bearer ${token}` }, cache: "no-store" });
      if (!r.ok) return null;
      const info = await r.json();
      return { offsetMs: Date.parse(info.now) - Date.now(), timeZone: info.timezone, name: info.name, notice: info.notice };
    } catch (e) {
      return null;
    }
  }

  function formatClock(date, timeZone) {
    const opts = { timeZone: timeZone || undefined };
    const time = new Intl.DateTimeFormat("zh-CN", Object.assign({ hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false }, opts)).format(date);
    const day = new Intl.DateTimeFormat("zh-CN", Object.assign({ year: "numeric", month: "long", day: "numeric" }, opts)).format(date);
    const weekday = new Intl.DateTimeFormat("zh-CN", Object.assign({ weekday: "long" }, opts)).format(date);
    return { time, date: `${day} ${weekday}` };
  }

  /** Web Speech (zh-CN) for `&voice=1`: "请 A零一二 号到 3号窗口办理". Off by default. */
  const DIGITS = "零一二三四五六七八九";
  function spokenNumber(number) {
    return String(number).replace(/\d/g, (d) => DIGITS[+d]).split("").join(" ");
  }
  function say(call) {
    if (params.get("voice") !== "1" || !("speechSynthesis" in window)) return;
    try {
      const text = `请 ${spokenNumber(call.number)} 号，到 ${call.window_name || call.window} 办理`;
      const u = new SpeechSynthesisUtterance(text);
      u.lang = "zh-CN";
      u.rate = 0.9;
      const voice = speechSynthesis.getVoices().find((v) => /^zh(-|_)?CN/i.test(v.lang));
      if (voice) u.voice = voice;
      speechSynthesis.speak(u);
    } catch (e) {
      /* no voice on this box: the screen still shows the call */
    }
  }

  /** The on-screen connection mark: hidden while live, red while lost or refused. */
  function showConnection(mark, state, detail, lostText) {
    document.body.dataset.conn = state;
    if (state === "lost") {
      mark.hidden = false;
      mark.textContent = lostText;
    } else if (state === "refused") {
      mark.hidden = false;
      mark.textContent = detail === "missing" ? "地址缺少 hall 或 token 参数 Missing hall or token" : "显示屏令牌无效，请联系管理员 Invalid display token";
    } else if (state === "live") {
      mark.hidden = true;
    }
  }

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  return { Model, connect, clockInfo, formatClock, say, spokenNumber, showConnection, el, params };
})();
