/* 好差评 on the phone page: once the ticket is done, the page becomes its evaluation form (open
   for the hall's working days), then offers one 追评. phone.js announces each render
   ("phone:render" with the ticket and the language); this file asks the server what may be
   given (GET …/evaluations/ticket) and posts the evaluation with the slip's secret. */
"use strict";

(() => {
  const box = document.getElementById("evaluate");
  const ticketId = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop() || "");
  const secret = new URLSearchParams(location.search).get("k") || "";
  const TEXT = {
    zh: {
      title: "请评价本次服务", followup_title: "追加评价（追评）", reasons: "请选择不满意的原因（至少一项）",
      text: "其他意见（选填）", submit: "提交评价", thanks: "感谢您的评价！", evaluated: (l) => `您已评价：${l}`,
      followup: "追加评价", until: (d) => `可评价至 ${d}`, closed: "本次服务的评价期限已过", failed: "提交失败，请重试",
      count: (n) => `${n}/300`, clerk: (n, id) => `${n}（工号 ${id}）`, done_all: "您已评价并追评，感谢您的反馈",
    },
    en: {
      title: "Please rate this service", followup_title: "Add a follow-up evaluation", reasons: "What went wrong? (choose at least one)",
      text: "Other comments (optional)", submit: "Submit", thanks: "Thank you for your evaluation!", evaluated: (l) => `You rated: ${l}`,
      followup: "Add a follow-up", until: (d) => `Open until ${d}`, closed: "The evaluation period for this service is over",
      failed: "Could not submit, please try again", count: (n) => `${n}/300`, clerk: (n, id) => `${n} (staff No. ${id})`,
      done_all: "You evaluated and followed up. Thank you",
    },
  };
  let lang = "zh";
  let info = null; // GET …/evaluations/ticket
  let loadedFor = null;
  let form = null; // {followup, level, reasons:Set}
  let last = null; // the evaluation just given
  const t = (key, ...args) => {
    const v = TEXT[lang][key];
    return typeof v === "function" ? v(...args) : v;
  };
  const el = (tag, cls, text) => {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = text;
    return node;
  };
  const levelName = (level) => {
    const item = info && info.levels.find((l) => l.level === level);
    return item ? (lang === "zh" ? item.name : item.name_en) : String(level);
  };

  async function load(hall) {
    const q = `ticket_id=${encodeURIComponent(ticketId)}&k=${encodeURIComponent(secret)}`;
    try {
      const r = await fetch(`/api/v1/halls/${encodeURIComponent(hall)}/evaluations/ticket?${q}`, { cache: "no-store" });
      if (!r.ok) return;
      info = await r.json();
      render();
    } catch (e) {
      loadedFor = null; // asked again at the next render
    }
  }

  function render() {
    if (!info) return;
    box.hidden = false;
    const children = [];
    if (info.clerk_name || info.window_name) {
      const who = [info.window_name, info.clerk_name ? t("clerk", info.clerk_name, info.clerk_id) : ""].filter(Boolean).join(" · ");
      children.push(el("div", "ev-who", who));
    }
    if (last) children.push(el("div", "ev-thanks", t("thanks")));
    if (form) {
      children.push(...formNodes());
    } else if (info.may_evaluate || info.may_follow_up) {
      if (info.may_evaluate) {
        form = { followup: false, level: null, reasons: new Set() };
        children.push(...formNodes());
      } else {
        if (!last) children.push(el("div", "ev-done", t("evaluated", levelName(info.first_level || 0))));
        const more = el("button", "ev-more", t("followup"));
        more.type = "button";
        more.id = "ev-followup";
        more.addEventListener("click", () => {
          form = { followup: true, level: null, reasons: new Set() };
          last = null;
          render();
        });
        children.push(more);
      }
    } else if (info.evaluated) {
      if (!last || info.followed_up) children.push(el("div", "ev-done", info.followed_up ? t("done_all") : t("closed")));
    } else {
      children.push(el("div", "ev-done", t("closed")));
    }
    if (info.open_until && (info.may_evaluate || info.may_follow_up)) {
      const until = new Date(info.open_until);
      children.push(el("div", "ev-until", t("until", until.toLocaleDateString(lang === "zh" ? "zh-CN" : "en-GB"))));
    }
    box.replaceChildren(...children);
  }

  function formNodes() {
    const nodes = [el("h2", "ev-title", form.followup ? t("followup_title") : t("title"))];
    const levels = el("div", "ev-levels");
    for (const item of info.levels) {
      const b = el("button", "ev-level", "");
      b.type = "button";
      b.dataset.level = String(item.level);
      b.setAttribute("aria-pressed", form.level === item.level ? "true" : "false");
      b.append(el("span", "ev-stars", "★".repeat(item.level)), el("span", "ev-name", lang === "zh" ? item.name : item.name_en));
      b.addEventListener("click", () => {
        form.level = item.level;
        if (item.level >= 3) form.reasons.clear();
        render();
      });
      levels.append(b);
    }
    nodes.push(levels);
    const bad = form.level !== null && form.level <= 2;
    if (bad) {
      nodes.push(el("div", "ev-label", t("reasons")));
      const chips = el("div", "ev-chips");
      for (const reason of info.reasons) {
        const c = el("button", "ev-chip", reason);
        c.type = "button";
        c.setAttribute("aria-pressed", form.reasons.has(reason) ? "true" : "false");
        c.addEventListener("click", () => {
          if (form.reasons.has(reason)) form.reasons.delete(reason);
          else form.reasons.add(reason);
          render();
        });
        chips.append(c);
      }
      nodes.push(chips);
    }
    if (form.level !== null) {
      const area = el("textarea", "ev-text");
      area.id = "ev-text";
      area.maxLength = 300;
      area.placeholder = t("text");
      area.value = form.text || "";
      const count = el("div", "ev-count", t("count", area.value.length));
      area.addEventListener("input", () => {
        form.text = area.value;
        count.textContent = t("count", area.value.length);
      });
      const submit = el("button", "ev-submit", t("submit"));
      submit.type = "button";
      submit.id = "ev-submit";
      submit.disabled = bad && form.reasons.size === 0;
      submit.addEventListener("click", send);
      nodes.push(area, count, submit);
    }
    if (form.error) nodes.push(el("div", "ev-error", form.error));
    return nodes;
  }

  async function send() {
    const body = { ticket_id: ticketId, k: secret, level: form.level, reasons: [...form.reasons], text: form.text || "", followup: form.followup };
    try {
      const r = await fetch(`/api/v1/halls/${encodeURIComponent(info.hall)}/evaluations`, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
      });
      const reply = await r.json().catch(() => ({}));
      if (r.status !== 201) {
        form.error = (lang === "zh" ? reply.message_zh : reply.message) || t("failed");
        render();
        return;
      }
      last = reply;
      if (!form.followup) info.first_level = reply.level;
      form = null;
      await load(info.hall);
    } catch (e) {
      form.error = t("failed");
      render();
    }
  }

  document.addEventListener("phone:render", (event) => {
    const ticket = event.detail.ticket;
    lang = event.detail.lang === "en" ? "en" : "zh";
    if (!ticket || ticket.status !== "done") {
      box.hidden = true;
      return;
    }
    if (loadedFor !== ticket.hall) {
      loadedFor = ticket.hall;
      load(ticket.hall);
    } else {
      render();
    }
  });
})();
