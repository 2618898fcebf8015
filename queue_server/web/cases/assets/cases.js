/* 差评整改: log in, list the cases (a lead's own, a manager's whole hall) with filters, open one
   (its evaluations, every step, the steps this person may take), act; managers also see the
   figures and the provincial upload (lag, dead letters with 重新上报). Plain JavaScript over
   /api/v1; the token lives in sessionStorage only. */
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const STORE = { token: "cases.token", hall: "cases.hall", me: "cases.me" };
  const params = new URLSearchParams(location.search);
  const TEXT = {
    zh: {
      title: "差评整改", logout: "退出", "login.title": "差评整改登录", "login.hall": "服务厅", "login.staff": "工号",
      "login.password": "密码", "login.submit": "登录", "f.state": "状态", "f.window": "窗口", "f.overdue": "只看超期",
      "f.appeal": "待审核申诉", "c.number": "号码", "c.level": "评价", "c.window": "窗口", "c.clerk": "工作人员", "c.state": "状态",
      "c.deadline": "期限", empty: "没有符合条件的差评工单", pick: "选择左侧工单查看详情", all: "全部", overdue: "超期",
      appeal_wait: "申诉待审", good_rate: "好评率", bad_rate: "差评率", rect_rate: "实名差评整改率", overdue_n: "超期工单",
      median: "平均办结（中位）", up: "省好差评系统上报", up_pending: "待上报", up_sent: "已上报", up_dead: "失败", up_lag: "延迟",
      up_none: "未配置上报", resend: "重新上报", real: "实名", anon: "匿名", lead: "负责人", opened: "受理", deadline: "办理期限",
      closed: "办结", evals: "评价", history: "办理过程", note: "说明（回访结果、整改措施、情况说明、反馈内容）", reached: "已联系上市民",
      channel: "反馈方式", reason: "申诉原因", mistaken: "误评", malicious: "恶意差评", done: "已完成", failed: "操作失败",
      a_verify: "开始核实", a_callback: "记录回访", a_rectify: "整改", a_explain: "情况说明", a_reply: "反馈市民", a_close: "办结",
      a_appeal: "申诉（误评/恶意差评）", a_approve_appeal: "批准申诉", a_refuse_appeal: "驳回申诉",
      ch_phone: "电话", ch_sms: "短信", ch_onsite: "现场", ch_letter: "书面", ch_platform: "平台",
      s_pending: "待核实", s_verifying: "核实中", s_rectifying: "整改中", s_explained: "情况说明", s_replied: "已反馈", s_closed: "已办结",
      a_evaluate: "提交评价", a_open: "生成工单", system: "系统", evaluator: "评价器", by_window: "窗口评价器", by_kiosk: "自助机",
      by_phone: "手机", followup: "追评",
      lang: "English", none: "—", hours: (h) => `${h} 小时`,
    },
    en: {
      title: "Bad-review remediation", logout: "Log out", "login.title": "Remediation log-in", "login.hall": "Hall", "login.staff": "Staff No.",
      "login.password": "Password", "login.submit": "Log in", "f.state": "State", "f.window": "Window", "f.overdue": "Overdue only",
      "f.appeal": "Appeals to decide", "c.number": "Number", "c.level": "Rating", "c.window": "Window", "c.clerk": "Clerk", "c.state": "State",
      "c.deadline": "Deadline", empty: "No cases match", pick: "Pick a case on the left", all: "All", overdue: "Overdue",
      appeal_wait: "Appeal waiting", good_rate: "Good", bad_rate: "Bad", rect_rate: "Real-name rectified", overdue_n: "Overdue",
      median: "Median to close", up: "Provincial upload", up_pending: "Pending", up_sent: "Sent", up_dead: "Failed", up_lag: "Lag",
      up_none: "No upload configured", resend: "Resend", real: "Real-name", anon: "Anonymous", lead: "Lead", opened: "Opened",
      deadline: "Deadline", closed: "Closed", evals: "Evaluations", history: "Steps", note: "Note (call-back, measures, explanation, reply)",
      reached: "Citizen reached", channel: "Told by", reason: "Appeal reason", mistaken: "Mistaken", malicious: "Malicious", done: "Done",
      failed: "Failed", a_verify: "Start verifying", a_callback: "Record call-back", a_rectify: "Rectify", a_explain: "Explain",
      a_reply: "Reply to citizen", a_close: "Close", a_appeal: "Appeal (mistaken/malicious)", a_approve_appeal: "Approve appeal",
      a_refuse_appeal: "Refuse appeal", ch_phone: "Phone", ch_sms: "SMS", ch_onsite: "On site", ch_letter: "Letter", ch_platform: "Platform",
      s_pending: "To verify", s_verifying: "Verifying", s_rectifying: "Rectifying", s_explained: "Explained", s_replied: "Replied",
      s_closed: "Closed", a_evaluate: "Evaluated", a_open: "Case opened", system: "System", evaluator: "Evaluator",
      by_window: "window evaluator", by_kiosk: "kiosk", by_phone: "phone", followup: "Follow-up",
      lang: "中文", none: "—", hours: (h) => `${h} h`,
    },
  };
  const STATES = ["pending", "verifying", "rectifying", "explained", "replied", "closed"];
  const S = {
    lang: localStorage.getItem("cases.lang") === "en" ? "en" : "zh",
    token: sessionStorage.getItem(STORE.token),
    hall: sessionStorage.getItem(STORE.hall) || params.get("hall") || "",
    me: JSON.parse(sessionStorage.getItem(STORE.me) || "null"),
    hallInfo: null,
    cases: [],
    open: null,
  };
  const t = (key, ...args) => {
    const v = TEXT[S.lang][key];
    return typeof v === "function" ? v(...args) : v == null ? key : v;
  };
  const el = (tag, cls, text) => {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = text;
    return node;
  };
  const when = (iso) => (iso ? new Date(iso).toLocaleString(S.lang === "zh" ? "zh-CN" : "en-GB", { month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" }) : t("none"));
  const pct = (v) => (v == null ? t("none") : `${(v * 100).toFixed(1)}%`);
  const api = async (method, path, body) => {
    const r = await fetch(`/api/v1/halls/${encodeURIComponent(S.hall)}${path}`, {
      method, headers: { Authorization: `Bearer ${S.token}`, "Content-Type": "application/json" }, body: body ? JSON.stringify(body) : undefined, cache: "no-store",
    });
    const reply = r.status === 204 ? null : await r.json().catch(() => null);
    if (r.status === 401) logout();
    if (!r.ok) throw Object.assign(new Error("refused"), { reply, status: r.status });
    return reply;
  };
  const refusal = (err) => (err.reply ? (S.lang === "zh" ? err.reply.message_zh : err.reply.message) : t("failed"));

  function applyText() {
    document.documentElement.lang = S.lang === "zh" ? "zh-CN" : "en";
    for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
    $("lang").textContent = t("lang");
    document.title = t("title");
  }

  // ---- login ----
  $("login-hall").value = S.hall;
  $("login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("login-error").textContent = "";
    const hall = $("login-hall").value.trim();
    try {
      const r = await fetch("/api/v1/auth/login", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ hall, staff_id: $("login-staff").value.trim(), password: $("login-password").value }),
      });
      const reply = await r.json().catch(() => ({}));
      if (!r.ok) {
        $("login-error").textContent = (S.lang === "zh" ? reply.message_zh : reply.message) || t("failed");
        return;
      }
      S.token = reply.token;
      S.hall = hall;
      const me = await fetch("/api/v1/auth/me", { headers: { Authorization: `Bearer ${S.token}` } }).then((x) => x.json());
      S.me = { id: me.id, name: me.name, kind: me.kind };
      sessionStorage.setItem(STORE.token, S.token);
      sessionStorage.setItem(STORE.hall, S.hall);
      sessionStorage.setItem(STORE.me, JSON.stringify(S.me));
      start();
    } catch (e) {
      $("login-error").textContent = t("failed");
    }
  });

  function logout() {
    if (S.token) fetch("/api/v1/auth/logout", { method: "POST", headers: { Authorization: `Bearer ${S.token}` } }).catch(() => {});
    S.token = null;
    for (const key of Object.values(STORE)) sessionStorage.removeItem(key);
    document.body.dataset.view = "login";
    $("view-login").hidden = false;
    $("view-desk").hidden = true;
    $("logout").hidden = true;
  }
  $("logout").addEventListener("click", logout);
  $("lang").addEventListener("click", () => {
    S.lang = S.lang === "zh" ? "en" : "zh";
    localStorage.setItem("cases.lang", S.lang);
    applyText();
    if (S.token) renderAll();
  });

  const isManager = () => S.me && S.me.kind === "manager";

  // ---- the desk ----
  async function start() {
    document.body.dataset.view = "desk";
    $("view-login").hidden = true;
    $("view-desk").hidden = false;
    $("logout").hidden = false;
    $("top-me").textContent = S.me ? `${S.me.name}（${S.me.id}）` : "";
    try {
      S.hallInfo = await api("GET", "");
      $("top-hall").textContent = S.hallInfo.name || S.hall;
      S.windows = await api("GET", "/windows");
    } catch (e) {
      /* the list still loads */
    }
    fillFilters();
    await reload();
  }

  function fillFilters() {
    const state = $("f-state");
    state.replaceChildren(new Option(t("all"), ""), ...STATES.map((s) => new Option(t(`s_${s}`), s)));
    const win = $("f-window");
    const windows = S.windows || [];
    win.replaceChildren(new Option(t("all"), ""), ...windows.map((w) => new Option(w.name, w.id)));
  }
  for (const id of ["f-state", "f-window", "f-overdue", "f-appeal"]) $(id).addEventListener("change", reload);

  async function reload() {
    const q = new URLSearchParams();
    if ($("f-state").value) q.set("state", $("f-state").value);
    if ($("f-window").value) q.set("window", $("f-window").value);
    if ($("f-overdue").checked) q.set("overdue", "true");
    if ($("f-appeal").checked) q.set("appeal", "requested");
    try {
      S.cases = await api("GET", `/cases?${q}`);
    } catch (e) {
      S.cases = [];
    }
    renderList();
    if (isManager()) await renderFigures();
    else {
      $("figures").replaceChildren();
      $("uploads").hidden = true;
    }
    if (S.open) await openCase(S.open.id);
  }

  function renderAll() {
    fillFilters();
    renderList();
    if (isManager()) renderFigures();
    if (S.open) renderCase();
  }

  function stateCell(c) {
    const td = el("td");
    const pill = el("span", "pill", t(`s_${c.state}`));
    pill.dataset.state = c.state;
    td.append(pill);
    if (c.overdue) td.append(el("span", "pill overdue", t("overdue")));
    if (c.appeal === "requested") td.append(el("span", "pill appeal", t("appeal_wait")));
    return td;
  }

  function renderList() {
    const rows = S.cases.map((c) => {
      const tr = el("tr", "row");
      tr.dataset.case = c.id;
      tr.setAttribute("aria-selected", S.open && S.open.id === c.id ? "true" : "false");
      tr.append(el("td", null, c.number), el("td", "lvl", c.level_name), el("td", null, c.window || t("none")),
        el("td", null, c.clerk_id || t("none")), stateCell(c), el("td", null, when(c.deadline)));
      tr.addEventListener("click", () => openCase(c.id));
      return tr;
    });
    $("rows").replaceChildren(...rows);
    $("empty").hidden = rows.length > 0;
  }

  async function renderFigures() {
    let figures = null;
    let uploads = null;
    try {
      [figures, uploads] = await Promise.all([api("GET", "/evaluations/figures"), api("GET", "/evaluations/uploads")]);
    } catch (e) {
      return;
    }
    const f = figures.total;
    const tiles = [
      ["good_rate", pct(f.good_rate), "good"], ["bad_rate", pct(f.bad_rate), "bad"], ["rect_rate", pct(f.real_name_rectified_rate), ""],
      ["overdue_n", String(f.cases_overdue), f.cases_overdue ? "bad" : ""],
      ["median", f.median_close_s == null ? t("none") : t("hours", (f.median_close_s / 3600).toFixed(1)), ""],
    ].map(([key, value, kind]) => {
      const tile = el("div", "figure");
      tile.dataset.kind = kind;
      tile.dataset.figure = key;
      tile.append(el("div", "k", t(key)), el("div", "v", value));
      return tile;
    });
    $("figures").replaceChildren(...tiles);
    const box = $("uploads");
    box.hidden = false;
    if (!uploads.configured) {
      box.replaceChildren(el("span", "muted", `${t("up")}：${t("up_none")}`));
      return;
    }
    const parts = [el("strong", null, t("up")), el("span", null, `${t("up_pending")} ${uploads.pending}`),
      el("span", null, `${t("up_sent")} ${uploads.sent}`), el("span", uploads.dead ? "dead" : null, `${t("up_dead")} ${uploads.dead}`),
      el("span", null, `${t("up_lag")} ${uploads.lag_s} s`)];
    for (const dead of uploads.dead_letters) {
      const row = el("div", "dead-row");
      row.append(el("span", null, `${dead.ticket_number || ""} · ${dead.kind || ""}`), el("span", "err", dead.last_error || ""));
      const again = el("button", "btn", t("resend"));
      again.type = "button";
      again.dataset.resend = String(dead.id);
      again.addEventListener("click", async () => {
        await api("POST", `/evaluations/uploads/${dead.id}/resend`).catch(() => {});
        renderFigures();
      });
      row.append(again);
      parts.push(row);
    }
    box.replaceChildren(...parts);
  }

  async function openCase(id) {
    try {
      S.open = await api("GET", `/cases/${encodeURIComponent(id)}`);
    } catch (e) {
      S.open = null;
    }
    renderList();
    renderCase();
  }

  function fact(dl, key, value) {
    dl.append(el("dt", null, t(key)), el("dd", null, value));
  }

  function renderCase(message) {
    const box = $("detail");
    const c = S.open;
    if (!c) {
      box.replaceChildren(el("p", "muted", t("pick")));
      return;
    }
    const head = el("h2", null, `${c.number} · ${c.level_name}`);
    const sub = el("div", null);
    sub.append(stateCell(c));
    const dl = el("dl", "facts");
    fact(dl, "c.window", c.window || t("none"));
    fact(dl, "c.clerk", c.clerk_id || t("none"));
    fact(dl, "lead", c.lead || t("none"));
    fact(dl, "opened", when(c.opened_at));
    fact(dl, "deadline", when(c.deadline));
    if (c.closed_at) fact(dl, "closed", when(c.closed_at));
    fact(dl, "real", c.real_name ? t("real") : t("anon"));
    const evals = c.evaluations.map((e) => {
      const div = el("div", "ev");
      div.append(el("div", null, `${e.kind === "followup" ? "追评 · " : ""}${e.level_name} · ${when(e.created_at)}`));
      if (e.reasons.length) div.append(el("div", "reasons", e.reasons.join("、")));
      if (e.text) div.append(el("div", null, e.text));
      return div;
    });
    const history = el("ul", "history");
    for (const step of c.history) {
      const li = el("li");
      const detail = step.detail || {};
      // An evaluation's channel is where the citizen rated (window, kiosk, phone); a reply's is how they were told.
      const channel = !detail.channel ? "" : step.action === "evaluate" ? t(`by_${detail.channel}`) : t(`ch_${detail.channel}`);
      const words = [detail.kind === "followup" ? t("followup") : "", detail.note, channel, detail.reason ? t(detail.reason) : "",
        detail.reached === true ? t("reached") : ""].filter(Boolean).join(" · ");
      li.append(el("span", "when", when(step.at)), el("span", "who", actorName(step.actor)),
        el("span", null, `${actionName(step.action)}${words ? "：" + words : ""}`));
      history.append(li);
    }
    box.replaceChildren(head, sub, dl, el("h3", null, t("evals")), ...evals, el("h3", null, t("history")), history, actionForm(c, message));
  }

  // The audit log's actor labels ("staff:s01", "evaluator:evaluator-W01", "system") in words.
  function actorName(actor) {
    if (actor === "system") return t("system");
    const [kind, id] = actor.includes(":") ? actor.split(/:(.*)/s) : ["", actor];
    if (kind === "evaluator") return `${t("evaluator")} ${id.replace(/^evaluator-/, "")}`;
    return id;
  }

  function actionName(action) {
    const key = `a_${action.replace(/^case_/, "")}`;
    return TEXT[S.lang][key] ? t(key) : action;
  }

  function actionForm(c, message) {
    const form = el("div", "act");
    if (!c.actions.length) {
      if (message) form.append(el("div", "muted", message));
      return form;
    }
    const note = el("textarea");
    note.id = "act-note";
    note.maxLength = 1000;
    note.placeholder = t("note");
    const row = el("div", "row2");
    const reached = el("label");
    const box = el("input");
    box.type = "checkbox";
    box.id = "act-reached";
    reached.append(box, document.createTextNode(" " + t("reached")));
    const channel = el("select");
    channel.id = "act-channel";
    for (const ch of ["phone", "sms", "onsite", "letter", "platform"]) channel.append(new Option(`${t("channel")}：${t(`ch_${ch}`)}`, ch));
    const reason = el("select");
    reason.id = "act-reason";
    for (const r of ["mistaken", "malicious"]) reason.append(new Option(`${t("reason")}：${t(r)}`, r));
    // Only the inputs a step now open needs: a lead at 待核实 is not asked how the citizen was told.
    if (c.actions.includes("callback")) row.append(reached);
    if (c.actions.includes("reply")) row.append(channel);
    if (c.actions.includes("appeal")) row.append(reason);
    const buttons = el("div", "act-buttons");
    for (const action of c.actions) {
      const b = el("button", action.endsWith("appeal") && action !== "appeal" ? "btn" : "btn primary", t(`a_${action}`));
      if (action === "appeal") b.className = "btn danger";
      b.type = "button";
      b.dataset.action = action;
      b.addEventListener("click", () => act(action));
      buttons.append(b);
    }
    const error = el("p", "error");
    error.id = "act-error";
    error.textContent = message || "";
    form.append(note, row, buttons, error);
    return form;
  }

  async function act(action) {
    const body = { action, note: $("act-note").value };
    if (action === "callback") body.reached = $("act-reached").checked;
    if (action === "reply") body.channel = $("act-channel").value;
    if (action === "appeal") body.reason = $("act-reason").value;
    try {
      await api("POST", `/cases/${encodeURIComponent(S.open.id)}/actions`, body);
      await reload();
    } catch (err) {
      renderCase(refusal(err));
    }
  }

  applyText();
  if (S.token) start();
})();
