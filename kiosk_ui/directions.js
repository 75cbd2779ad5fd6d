// Where a ticket's holder goes, as the printed slip says it (drivers/printer.py: "请到1楼 1-12号窗口
// 附近等候叫号"): the floor and its zone, up or down from this kiosk, and the windows that call the
// ticket's queue (GET /catalog `queues[].windows`).
import { floorLabel } from "/ui/common/i18n.js";
import { zoneName } from "/ui/kiosk/browse.js";
import { i18n, kioskFloor, state, t } from "/ui/kiosk/kiosk-state.js";

export function showDirection(el, ticket) {
  const arrow = ticket.floor > kioskFloor ? "↑" : ticket.floor < kioskFloor ? "↓" : "→";
  const where = `${arrow} ${floorLabel(i18n.lang, ticket.floor)} ${zoneName(ticket.floor)}`;
  const windows = queueWindows(ticket.queue);
  if (!windows) {  // no window calls the queue in the config: the floor alone, as before
    const way = ticket.floor === kioskFloor ? t("sameFloor") : t(ticket.floor > kioskFloor ? "goUp" : "goDown", { floor: ticket.floor });
    el.replaceChildren(line(`${where} · ${way}`));
    return;
  }
  const way = t(ticket.floor === kioskFloor ? "thisFloor" : ticket.floor > kioskFloor ? "upstairs" : "downstairs");
  el.replaceChildren(line(`${where} · ${way}`), line(t("nearWindows", { windows })));
}

function line(text) {
  return Object.assign(document.createElement("div"), { textContent: text });
}

// The windows of a queue as runs: ["1", "2", "3", "5"] → "1–3、5" ("1–3, 5" in English).
export function queueWindows(code) {
  const queue = state.catalog && state.catalog.queues.find((q) => q.code === code);
  const numbers = ((queue && queue.windows) || []).map(Number).filter(Number.isInteger).sort((a, b) => a - b);
  const runs = [];
  for (const n of numbers) {
    const run = runs[runs.length - 1];
    if (run && n === run[1] + 1) run[1] = n; else runs.push([n, n]);
  }
  return runs.map(([first, last]) => (first === last ? `${first}` : `${first}–${last}`)).join(i18n.lang === "zh" ? "、" : ", ");
}
