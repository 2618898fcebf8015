/* 评价器: idle with the clerk; after 办结 the five levels; reasons for a 差评; back to idle after
   the hall's timeout with nothing recorded. Live from the hall stream: any event of this window
   makes it ask the server what to show (GET …/evaluations/window/{w}). */
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  const hall = params.get("hall") || "";
  const token = params.get("token") || "";
  const windowId = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop() || "");
  const api = `/api/v1/halls/${encodeURIComponent(hall)}`;
  const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
  const THANKS_MS = 5000;
  let current = null; // the ticket being evaluated
  let shownFor = null; // ticket id already offered (a timeout does not offer it again)
  let timeoutS = 60;
  let deadline = 0;
  let tick = null;
  let chosen = new Set();
  let level = null;

  if (params.get("large") === "1" || localStorage.getItem("evaluate.large") === "1") document.body.classList.add("large");
  $("large").addEventListener("click", () => {
    const on = document.body.classList.toggle("large");
    localStorage.setItem("evaluate.large", on ? "1" : "0");
  });

  function view(name) {
    document.body.dataset.view = name;
  }

  function idle(info) {
    stopTimer();
    current = null;
    view("idle");
    if (!info) return;
    const staff = info.staff;
    $("clerk-name").textContent = staff ? staff.name : "暂无工作人员";
    $("clerk-id").textContent = staff ? `工号 ${staff.id}  Staff No.` : "No staff signed in";
    $("photo").textContent = staff ? staff.name.slice(0, 1) : "?";
  }

  function stopTimer() {
    clearInterval(tick);
    tick = null;
  }

  function startTimer() {
    deadline = Date.now() + timeoutS * 1000;
    stopTimer();
    const show = () => {
      const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      const text = `${left} 秒后返回 · Back in ${left} s`;
      $("countdown").textContent = text;
      $("countdown2").textContent = text;
      if (left <= 0) idle(null); // nothing is recorded on a timeout
    };
    show();
    tick = setInterval(show, 500);
  }

  function buildLevels(levels) {
    const box = $("levels");
    box.replaceChildren();
    for (const item of levels) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "level";
      button.dataset.level = String(item.level);
      const face = document.createElement("span");
      face.className = "face";
      face.textContent = "★".repeat(item.level); // stars: no emoji font on a hall's tablet
      const zh = document.createElement("span");
      zh.className = "zh";
      zh.textContent = item.name;
      const en = document.createElement("span");
      en.className = "en2";
      en.textContent = item.name_en;
      button.append(face, zh, en);
      button.addEventListener("click", () => pick(item.level));
      box.append(button);
    }
  }

  function buildChips(reasons) {
    const box = $("chips");
    box.replaceChildren();
    for (const reason of reasons) {
      const chip = document.createElement("button");
      chip.type = "button";
      chip.className = "chip";
      chip.textContent = reason;
      chip.setAttribute("aria-pressed", "false");
      chip.addEventListener("click", () => {
        if (chosen.has(reason)) chosen.delete(reason);
        else chosen.add(reason);
        chip.setAttribute("aria-pressed", chosen.has(reason) ? "true" : "false");
        $("submit").disabled = chosen.size === 0;
        deadline = Date.now() + timeoutS * 1000; // still there: the clock starts again
      });
      box.append(chip);
    }
  }

  function offer(ticket) {
    current = ticket;
    shownFor = ticket.ticket_id;
    chosen = new Set();
    level = null;
    $("rate-number").textContent = `号码 ${ticket.number}`;
    $("rate-clerk").textContent = ticket.clerk_name ? `${ticket.clerk_name}（工号 ${ticket.clerk_id}）` : "";
    $("text").value = "";
    $("error").textContent = "";
    $("submit").disabled = true;
    buildLevels(ticket.levels);
    buildChips(ticket.reasons);
    view("rate");
    startTimer();
  }

  function pick(value) {
    level = value;
    if (value >= 3) {
      submit(); // one touch for 基本满意 and above
      return;
    }
    view("reasons");
    deadline = Date.now() + timeoutS * 1000;
  }

  async function submit() {
    if (!current) return;
    const body = { ticket_id: current.ticket_id, level, reasons: level <= 2 ? [...chosen] : [], text: level <= 2 ? $("text").value : "" };
    $("submit").disabled = true;
    try {
      const r = await fetch(`${api}/evaluations`, { method: "POST", headers, body: JSON.stringify(body) });
      const reply = await r.json().catch(() => ({}));
      if (r.status === 201 || (r.status === 409 && reply.code === "evaluation_exists")) {
        thanks(current);
        return;
      }
      $("error").textContent = reply.message_zh ? `${reply.message_zh} ${reply.message || ""}` : "提交失败，请重试 Please try again";
      if (level >= 3) view("reasons");
    } catch (e) {
      $("error").textContent = "网络异常，请重试 Network problem, please try again";
      if (level >= 3) view("reasons");
    }
    $("submit").disabled = chosen.size === 0;
  }

  function thanks(ticket) {
    stopTimer();
    current = null;
    $("thanks-sub").textContent = `号码 ${ticket.number}`;
    view("thanks");
    setTimeout(() => {
      view("idle");
      refresh();
    }, THANKS_MS);
  }

  $("back").addEventListener("click", () => {
    view("rate");
    deadline = Date.now() + timeoutS * 1000;
  });
  $("submit").addEventListener("click", submit);

  async function refresh() {
    if (document.body.dataset.view === "thanks") return;
    try {
      const r = await fetch(`${api}/evaluations/window/${encodeURIComponent(windowId)}`, { headers, cache: "no-store" });
      if (r.status === 401 || r.status === 403) return problem("评价器令牌无效 · This evaluator's token is refused");
      if (r.status === 404) return problem(`没有窗口 ${windowId} · No such window`);
      if (!r.ok) return;
      const info = await r.json();
      timeoutS = info.timeout_s || 60;
      $("bar-window").textContent = info.window_name;
      document.title = `${info.window_name} 服务评价`;
      if (current) return; // the citizen is choosing: let them finish
      if (info.pending && info.pending.may_evaluate && info.pending.ticket_id !== shownFor) offer(info.pending);
      else idle(info);
    } catch (e) {
      /* the stream's reconnect calls again */
    }
  }

  function problem(text) {
    const conn = $("conn");
    conn.textContent = text;
    conn.hidden = false;
  }

  // The hall stream: events of this window (a finish, a sign-in) make the page refresh.
  let attempt = 0;
  function connect() {
    if (!hall || !token) return problem("缺少 hall 或 token 参数 · Missing hall or token in the address");
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${proto}//${location.host}${api}/stream?token=${encodeURIComponent(token)}`);
    ws.onopen = () => {
      attempt = 0;
      $("conn").hidden = true;
    };
    ws.onmessage = (message) => {
      let event;
      try {
        event = JSON.parse(message.data);
      } catch (e) {
        return;
      }
      if (event.type === "snapshot" || event.type === "day" || event.window === windowId) refresh();
    };
    ws.onclose = (close) => {
      if (close.code === 4401 || close.code === 4403) problem("评价器令牌无效 · This evaluator's token is refused");
      else problem("连接中断，正在重连… · Reconnecting…");
      attempt += 1;
      setTimeout(connect, Math.min(30000, 1000 * 2 ** Math.min(attempt, 5)));
    };
  }

  refresh();
  connect();
})();
