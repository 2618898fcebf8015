/* 窗口屏: one window's name, the number called or served there, paused/closed, and who serves
   (name and 工号, as halls require). */
"use strict";

(() => {
  const { Model, connect, say, showConnection, el } = Hall;
  const $ = (id) => document.getElementById(id);
  const model = new Model();
  const windowId = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop() || "");
  const FLASH_MS = 6000;
  let flashTimer = null;
  let known = false;

  function render() {
    const w = model.windows.get(windowId);
    const body = document.body;
    if (!w) {
      body.dataset.state = known ? "unknown" : "closed";
      $("ws-name").textContent = known ? `没有窗口 ${windowId}` : windowId;
      $("ws-staff").textContent = "";
      $("ws-queues").textContent = "";
      $("ws-label").textContent = "";
      $("ws-number").textContent = "";
      $("ws-sub").textContent = known ? "No such window" : "";
      return;
    }
    document.title = `${w.name} 窗口屏`;
    $("ws-name").textContent = w.name;
    const staff = $("ws-staff");
    staff.replaceChildren();
    if (w.staff) {
      staff.append(el("span", "ws-staff-name", w.staff.name), el("span", "ws-staff-id", `工号 ${w.staff.id}`));
    }
    const queueNames = (w.queues || []).map((q) => (model.queues.get(q) || { name: q }).name);
    $("ws-queues").textContent = queueNames.length ? `办理业务：${queueNames.join("、")}` : "";
    let state;
    if (w.status === "closed") state = "closed";
    else if (w.status === "paused") state = "paused";
    else if (w.current) state = w.current.status === "serving" ? "serving" : "called";
    else state = "idle";
    if (body.classList.contains("flash") && state !== "called") body.classList.remove("flash");
    body.dataset.state = state;
    const label = $("ws-label");
    const number = $("ws-number");
    const sub = $("ws-sub");
    if (state === "closed") {
      label.textContent = "";
      number.textContent = "暂未开放";
      sub.textContent = "Closed";
    } else if (state === "paused") {
      label.textContent = w.current ? `当前号 ${w.current.number}` : "";
      number.textContent = "暂停服务";
      sub.textContent = "Paused · 请稍候";
    } else if (state === "called") {
      label.textContent = "请到本窗口 Please come";
      number.textContent = w.current.number;
      sub.textContent = "";
    } else if (state === "serving") {
      label.textContent = "正在办理 Serving";
      number.textContent = w.current.number;
      sub.textContent = "";
    } else {
      label.textContent = "";
      number.textContent = "欢迎办理";
      sub.textContent = "Welcome · 等待叫号";
    }
  }

  function flash(call) {
    document.body.classList.add("flash");
    clearTimeout(flashTimer);
    flashTimer = setTimeout(() => document.body.classList.remove("flash"), FLASH_MS);
    say(call);
  }

  connect(model, {
    onSnapshot: () => {
      known = true;
      render();
    },
    onEvent: (m, call) => {
      render();
      if (call && call.window === windowId) flash(call);
    },
    onState: (state, detail) => showConnection($("conn"), state, detail, "连接中断 Connection lost"),
  });
  render();
})();
