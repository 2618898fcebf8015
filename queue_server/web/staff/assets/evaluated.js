/* 好差评 on the staff console: the last tickets this clerk finished and whether each citizen has
   evaluated (level and channel), asked again every few seconds while any is still open for the
   evaluator. staff.js tells it about each finish ("staff:finished"). */
"use strict";

(function () {
  const KEY = "staff.finished";
  const KEEP = 3; // rows: the action buttons stay on a 768-pixel screen
  const POLL_MS = 4000;
  const WATCH_MS = 10 * 60 * 1000; // the evaluator asks right after 办结; a phone may come later
  const CHANNEL = { window: ["评价器", "evaluator"], kiosk: ["自助终端", "kiosk"], phone: ["手机", "phone"] };
  const box = document.getElementById("evaluated");
  let timer = null;

  const zh = () => localStorage.getItem("staff.lang") !== "en";
  const load = () => {
    try {
      return JSON.parse(sessionStorage.getItem(KEY) || "[]");
    } catch (e) {
      return [];
    }
  };
  const save = (list) => sessionStorage.setItem(KEY, JSON.stringify(list.slice(0, KEEP)));

  function render(list) {
    if (!list.length) {
      box.hidden = true;
      return;
    }
    const head = document.createElement("div");
    head.className = "label";
    head.textContent = zh() ? "最近办结 · 市民评价" : "Recently finished · evaluation";
    const rows = list.map((item) => {
      const row = document.createElement("div");
      row.className = "evaluated-row";
      row.dataset.ticket = item.id;
      const number = document.createElement("span");
      number.className = "evaluated-number";
      number.textContent = item.number;
      const mark = document.createElement("span");
      mark.className = "evaluated-mark";
      if (item.mark) {
        const via = CHANNEL[item.mark.channel] || [item.mark.channel, item.mark.channel];
        mark.dataset.kind = item.mark.bad ? "bad" : "good";
        mark.textContent = zh() ? `已评价：${item.mark.level_name}（${via[0]}）` : `Evaluated: ${item.mark.level} of 5 (${via[1]})`;
      } else {
        mark.dataset.kind = "none";
        mark.textContent = zh() ? "尚未评价" : "Not evaluated yet";
      }
      row.append(number, mark);
      return row;
    });
    box.replaceChildren(head, ...rows);
    box.hidden = false;
  }

  async function poll() {
    timer = null;
    const list = load();
    const open = list.filter((item) => !item.mark && Date.now() - item.at < WATCH_MS);
    const token = sessionStorage.getItem("staff.token");
    const hall = sessionStorage.getItem("staff.hall");
    if (open.length && token && hall) {
      try {
        const ids = open.map((item) => item.id).join(",");
        const r = await fetch(`/api/v1/halls/${encodeURIComponent(hall)}/evaluations/evaluated?tickets=${encodeURIComponent(ids)}`, {
          headers: { Authorization: "Bearer " + token },
          cache: "no-store",
        });
        if (r.ok) {
          const marks = (await r.json()).tickets || {};
          for (const item of list) if (marks[item.id]) item.mark = marks[item.id];
          save(list);
        }
      } catch (e) {
        /* asked again at the next poll */
      }
    }
    render(list);
    if (list.some((item) => !item.mark && Date.now() - item.at < WATCH_MS)) timer = setTimeout(poll, POLL_MS);
  }

  document.addEventListener("staff:finished", (event) => {
    const list = load().filter((item) => item.id !== event.detail.id);
    list.unshift({ id: event.detail.id, number: event.detail.number, at: Date.now(), mark: null });
    save(list);
    render(load());
    clearTimeout(timer);
    timer = setTimeout(poll, 1000);
  });
  document.addEventListener("click", (event) => {
    if (event.target && event.target.id === "lang-toggle") setTimeout(() => render(load()), 0); // language switch
  });
  poll();
})();
