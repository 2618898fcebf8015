/* The audit log viewer: filter by kind, person and time (the hall's clock), newest first, older
   entries on demand; the same filter exported as a CSV file. Rows come masked from the server. */
"use strict";

(function () {
  const { S, $, t, el, api, managePath } = M;
  const KINDS = [
    "pause", "resume", "tidal", "sign_out", "recall", "start", "finish", "skip", "requeue", "transfer", "cancel",
    "confirm_green", "face_verify", "face_enrol", "face_withdraw", "login_lockout", "login_lockout_lift",
    "alert_raised", "alert_cleared", "alert_ack", "restore", "rate_limited",
  ];
  let filter = null; // the query string of the last search
  let nextBefore = null;

  function fillChoices() {
    const kind = $("audit-kind");
    const staff = $("audit-staff");
    const keepKind = kind.value;
    const keepStaff = staff.value;
    const option = (value, text) => {
      const node = el("option", null, text);
      node.value = value;
      return node;
    };
    kind.replaceChildren(option("", t("audit.all")), ...KINDS.map((k) => option(k, t("kind." + k))));
    staff.replaceChildren(option("", t("audit.all")), ...S.ctx.staff.map((p) => option(p.id, p.name + "（" + p.id + "）")));
    kind.value = keepKind;
    staff.value = keepStaff;
  }

  /** The filter as a query string, or an error key. */
  function readFilter() {
    const params = new URLSearchParams();
    if ($("audit-kind").value) params.set("action", $("audit-kind").value);
    if ($("audit-staff").value) params.set("staff", $("audit-staff").value);
    const since = M.zonedIso($("audit-since").value);
    const until = M.zonedIso($("audit-until").value);
    if (since && until && Date.parse(since) > Date.parse(until)) return { error: "audit.bad.range" };
    if (since) params.set("since", since);
    if (until) params.set("until", until);
    return { query: params.toString() };
  }

  async function search(event) {
    if (event) event.preventDefault();
    const found = readFilter();
    if (found.error) return M.setError("audit-error", t(found.error));
    M.setError("audit-error", "");
    filter = found.query;
    nextBefore = null;
    $("audit-rows").replaceChildren();
    await loadPage();
  }

  async function loadPage() {
    const params = new URLSearchParams(filter || "");
    params.set("limit", "100");
    if (nextBefore) params.set("before_id", String(nextBefore));
    try {
      const page = await api("GET", managePath("/audit?" + params.toString()));
      $("audit-rows").append(...page.rows.map(row));
      nextBefore = page.next_before_id;
      $("audit-more").hidden = !nextBefore;
      $("audit-empty").hidden = $("audit-rows").children.length > 0;
    } catch (err) {
      M.setError("audit-error", M.errorText(err));
    }
  }

  function row(r) {
    const tr = el("tr");
    tr.dataset.action = r.action;
    const who = r.actor === "system" ? t("audit.system") : r.actor_name ? r.actor_name + "（" + r.actor.split(":").pop() + "）" : r.actor;
    const label = t("kind." + r.action);
    const detail = Object.entries(r.detail || {}).map(([key, value]) => detailWord(key) + "：" + detailValue(key, value)).join("　");
    tr.append(
      el("td", null, M.formatTime(r.at, { date: true, seconds: true })),
      el("td", null, who),
      el("td", null, label === "kind." + r.action ? r.action : label),
      el("td", null, targetText(r)),
      el("td", "detail", detail)
    );
    return tr;
  }

  function detailWord(key) {
    const word = t("detail." + key);
    return word === "detail." + key ? key : word;
  }

  function detailValue(key, value) {
    const word = key === "status" ? t("status." + value) : key === "kind" ? t("alertkind." + value) : null;
    if (word && !word.includes(".")) return word;
    if (Array.isArray(value)) return value.join("、");
    if (value !== null && typeof value === "object") return JSON.stringify(value);
    return value === null ? "—" : String(value);
  }

  /** window:W01 → 1号窗口 (W01); alert:kind:subject → its queue or window; the rest as stored. */
  function targetText(r) {
    const [kind, ...rest] = r.target.split(":");
    const id = rest[rest.length - 1] || "";
    if (kind === "window") return M.windowName(id) + "（" + id + "）";
    if (kind === "alert") return (S.ctx.queues.some((q) => q.id === id) ? M.queueName(id) : M.windowName(id)) + "（" + id + "）";
    if (kind === "ticket" && r.detail && r.detail.number) return r.detail.number;
    return r.target;
  }

  async function exportCsv() {
    const found = readFilter();
    if (found.error) return M.setError("audit-error", t(found.error));
    M.setError("audit-error", "");
    const button = $("audit-export");
    button.disabled = true;
    try {
      const saved = await M.download(managePath("/audit.csv" + (found.query ? "?" + found.query : "")), "audit.csv");
      M.notice(t("audit.exported", { n: saved.headers.get("X-Row-Count") || "?" }), "ok");
    } catch (err) {
      M.setError("audit-error", M.errorText(err));
    } finally {
      button.disabled = false;
    }
  }

  function reset() {
    $("audit-kind").value = "";
    $("audit-staff").value = "";
    $("audit-since").value = "";
    $("audit-until").value = "";
    search();
  }

  function enter() {
    fillChoices();
    search();
  }

  function language() {
    if (!S.ctx) return;
    fillChoices();
    if (S.view === "audit") search();
  }

  $("audit-form").addEventListener("submit", search);
  $("audit-reset").addEventListener("click", reset);
  $("audit-export").addEventListener("click", exportCsv);
  $("audit-more").addEventListener("click", loadPage);
  M.views.audit = { enter, language };
})();
