/* The day's reservations, read only: slots in order, who checked in (with the ticket), who did not
   come. Names, identity numbers and phones come masked from the server. */
"use strict";

(function () {
  const { S, $, t, el, api, managePath } = M;
  let shown = null;

  function today() {
    return M.localInput(M.now()).slice(0, 10);
  }

  async function load(event) {
    if (event) event.preventDefault();
    const day = $("res-day").value;
    if (!day) return M.setError("res-error", t("res.need.day"));
    M.setError("res-error", "");
    try {
      shown = await api("GET", managePath("/reservations?day=" + encodeURIComponent(day)));
      render();
    } catch (err) {
      M.setError("res-error", M.errorText(err));
    }
  }

  function render() {
    if (!shown || S.view !== "reservations") return;
    let lastSlot = null;
    const rows = shown.reservations.map((r) => {
      const tr = el("tr");
      tr.dataset.reservation = r.id;
      tr.dataset.state = r.state;
      const slot = M.formatTime(r.slot_start) + "–" + M.formatTime(r.slot_end);
      if (slot !== lastSlot) tr.className = "slot-start";
      const state = el("td");
      const pill = el("span", "lvl", t("res.state." + r.state));
      pill.dataset.res = r.state;
      state.append(pill);
      tr.append(
        el("td", "slot", slot === lastSlot ? "" : slot),
        el("td", null, r.queue + " " + M.queueName(r.queue)),
        el("td", null, r.code),
        el("td", null, r.name),
        el("td", null, r.id_number),
        el("td", null, r.phone || "—"),
        state,
        el("td", null, r.ticket_number ? r.ticket_number + (r.ticket_status ? " · " + t("status." + r.ticket_status) : "") : "—")
      );
      lastSlot = slot;
      return tr;
    });
    $("res-rows").replaceChildren(...rows);
    $("res-empty").hidden = rows.length > 0;
    const c = shown.counts;
    const tally = [["res.total", c.total, ""], ["res.state.checked_in", c.checked_in, ""], ["res.state.booked", c.booked, ""],
      ["res.state.no_show", c.no_show, c.no_show ? "alert" : ""], ["res.state.cancelled", c.cancelled, ""]];
    $("res-tally").replaceChildren(...tally.map(([key, n, kind]) => {
      const span = el("span", null, t(key));
      if (kind) span.dataset.kind = kind;
      span.append(el("b", null, String(n)));
      return span;
    }));
  }

  function enter() {
    if (!$("res-day").value) $("res-day").value = today();
    load();
  }

  $("res-form").addEventListener("submit", load);
  M.views.reservations = { enter, language: render };
})();
