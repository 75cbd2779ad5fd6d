// The admin board's hardware and supervision side: the devices panel (设备: each printer, speaker,
// LED screen, pager and evaluator with its health), the tickets a printer still owes with a 补打
// button, and the supervision list (电子监察): every `alert` (a device, a case's deadline, a bad
// rating) as a sentence in the board's language. Device rows follow the alerts live; the list is
// also re-read now and then, because a ticket queued on a printer that is already down changes no
// state and so raises no alert.
import { describe, showMessage } from "/ui/common/errors.js";
import { floorLabel } from "/ui/common/i18n.js";

const DEVICES_REFRESH_MS = 10000;
const KEEP_ALERTS = 50;

export const DEVICE_PHRASES = {
  zh: {
    devices: "设备", device: "设备", kind: "类型", place: "位置", health: "状态", lastSeen: "最后联系", queued: "待处理",
    noDevices: "本大厅没有配置设备。", unprinted: "未打印的号票", noUnprinted: "没有未打印的号票。",
    unprintedHint: "打印机恢复后会自动打印；急用可以补打。", reprint: "补打", reprintOn: "补打用的打印机",
    defaultPrinter: "原打印机", reprinted: "已将 {number} 号票送往打印机 {printer} 补打。",
    noPrinter: "没有可用的打印机，或这张号票已不存在。", noPrinterFits: "没有可用的打印机补打这张号票。",
    ticketGone: "这张号票已不存在。", supervision: "电子监察", noAlerts: "暂无告警。",
    sentToPrinter: "送往 {printer}",
  },
  en: {
    devices: "Devices", device: "Device", kind: "Kind", place: "Where", health: "State", lastSeen: "Last seen", queued: "Queued",
    noDevices: "No devices are configured in this hall.", unprinted: "Tickets not printed yet", noUnprinted: "Every ticket is printed.",
    unprintedHint: "They print by themselves once the printer is back; reprint one if it is urgent.", reprint: "Reprint",
    reprintOn: "Printer for reprints", defaultPrinter: "its own printer", reprinted: "Ticket {number} was sent to printer {printer}.",
    noPrinter: "No printer fits, or the ticket no longer exists.", noPrinterFits: "No printer can reprint this ticket.",
    ticketGone: "This ticket no longer exists.", supervision: "Supervision", noAlerts: "No alerts.",
    sentToPrinter: "for {printer}",
  },
};

const KINDS = {
  zh: { printer: "打印机", speaker: "语音播报", led: "LED屏", pager: "呼叫器", evaluator: "评价器" },
  en: { printer: "printer", speaker: "speaker", led: "LED screen", pager: "pager", evaluator: "evaluator" },
};
const STATES = {
  zh: { unknown: "未使用", online: "正常", offline: "离线", paper_low: "纸将用尽", paper_out: "缺纸", error: "故障" },
  en: { unknown: "not used yet", online: "online", offline: "offline", paper_low: "paper low", paper_out: "out of paper", error: "fault" },
};
const RATINGS_EN = { 不满意: "dissatisfied", 非常不满意: "very dissatisfied" };
const TROUBLE = new Set(["offline", "paper_low", "paper_out", "error"]);

function place(attach, lang) {
  const [kind, name] = attach.split(":");
  if (kind === "kiosk") return lang === "zh" ? `自助机 ${name}` : `kiosk ${name}`;
  if (kind === "floor") return floorLabel(lang, name);
  if (kind === "window") return lang === "zh" ? `${name}号窗口` : `window ${name}`;
  return attach;
}

function clockTime(iso) {
  if (!iso) return "—";
  const at = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  const time = `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
  return at.toDateString() === new Date().toDateString() ? time : `${at.getMonth() + 1}/${at.getDate()} ${time}`;
}

/** One alert as a sentence a person reads at a glance (the server's own words when the kind is new). */
export function alertSentence(alert, lang) {
  const zh = lang === "zh";
  if (alert.source === "device") {
    const where = place(alert.attach, lang);
    const of = zh ? (/[A-Za-z0-9]$/.test(where) ? " 的" : "的") : " ";
    const who = `${where}${of}${KINDS[lang][alert.kind] || alert.kind} ${alert.device}`;
    const state = STATES[lang][alert.state] || alert.state;
    const owed = (alert.unprinted_tickets || []).length;
    if (alert.state === "online") {
      return zh ? `${who} 已恢复正常。` : `The ${who} is back online.`;
    }
    const tail = owed ? (zh ? `，${owed} 张号票未打印` : `; ${owed} ticket(s) not printed`) : "";
    return zh ? `${who} ${state}${tail}。` : `The ${who} is ${state}${tail}.`;
  }
  if (alert.source === "case") {
    const due = alert.due_at ? new Date(alert.due_at).toLocaleDateString(zh ? "zh-CN" : "en-GB") : "";
    const overdue = alert.kind === "case_overdue";
    if (zh) return `办件 ${alert.case}（${alert.matter}）${overdue ? "已超过办结时限" : "即将到期"}，承诺办结日期 ${due}。`;
    return `Case ${alert.case} (${alert.matter}) is ${overdue ? "overdue" : "due soon"}; promised by ${due}.`;
  }
  if (alert.source === "rating") {
    const clerk = alert.clerk ? (zh ? `，工作人员 ${alert.clerk}` : `, clerk ${alert.clerk}`) : "";
    return zh ? `${alert.window}号窗口收到差评（${alert.rating}）${clerk}，请跟进。`
      : `Window ${alert.window} was rated ${RATINGS_EN[alert.rating] || alert.rating}${clerk}; follow it up.`;
  }
  return alert.message || alert.text || "";
}

function alertLevel(alert) {
  if (alert.level === "critical" || alert.level === "error") return "error";
  return alert.level === "warning" ? "warning" : "info";
}

export function createDevicesPanel({ session, i18n, message, onRefused }) {
  const t = i18n.t;
  const $ = (id) => document.getElementById(id);
  const state = { devices: new Map(), unprinted: [], alerts: [], timer: null };

  async function load() {
    const answer = await session.call("GET", "/devices");
    state.devices = new Map(answer.devices.map((d) => [d.name, d]));
    state.unprinted = answer.unprinted_tickets;
    render();
    return answer;
  }

  /** The supervision list on entering the board: what is wrong right now (devices, cases due). */
  async function seed() {
    const [answer, cases] = await Promise.all([load(), session.call("GET", "/cases?status=in_review")]);
    for (const d of answer.devices.filter((d) => TROUBLE.has(d.state))) {
      remember({ source: "device", device: d.name, kind: d.kind, attach: d.attach, state: d.state, detail: d.detail,
        level: d.state === "paper_low" ? "warning" : "error", at: d.since,
        unprinted_tickets: d.kind === "printer" ? answer.unprinted_tickets.filter((u) => u.printer === d.name) : [] });
    }
    for (const c of cases.filter((c) => c.deadline === "due_soon" || c.deadline === "overdue")) {
      remember({ source: "case", kind: `case_${c.deadline}`, case: c.number, case_id: c.id, matter: c.matter_name,
        due_at: c.due_at, level: c.deadline === "overdue" ? "critical" : "warning", at: c.accepted_at });
    }
    state.alerts.sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
    renderAlerts();
  }

  function remember(alert) {
    const key = alert.source === "device" ? `device:${alert.device}:${alert.state}`
      : alert.source === "case" ? `case:${alert.case}:${alert.kind}` : `${alert.source}:${alert.ticket || ""}:${alert.at}`;
    if (alert.source === "device") {
      // A device's newest entry already says this state (seeded, then the same alert live): keep one.
      const last = state.alerts.find((a) => a.source === "device" && a.device === alert.device);
      if (last && last.key === key) return;
    } else if (state.alerts.some((a) => a.key === key)) {
      return;
    }
    state.alerts.unshift({ ...alert, key });
    state.alerts.length = Math.min(state.alerts.length, KEEP_ALERTS);
  }

  function onAlert(alert) {
    if (!alert) return;
    remember(alert);
    if (alert.source === "device") {
      const known = state.devices.get(alert.device);
      if (known) {
        Object.assign(known, { state: alert.state, detail: alert.detail, since: alert.at });
        if (alert.state !== "offline") known.last_seen = alert.at;
      }
      if (alert.unprinted_tickets) state.unprinted = alert.unprinted_tickets;
      renderDevices();
      renderUnprinted();
    }
    renderAlerts();
  }

  async function reprint(ticket) {
    const chosen = $("reprint-printer").value;
    const query = chosen ? `?printer=${encodeURIComponent(chosen)}` : "";
    try {
      const answer = await session.call("POST", `/tickets/${encodeURIComponent(ticket.id)}/reprint${query}`);
      showMessage(message, { text: t("reprinted", { number: answer.number, printer: answer.printer }) }, "info");
      await load();
    } catch (err) {
      if (err.code === "unauthorized") { onRefused(err); return; }
      showMessage(message, describe(err, i18n.lang, {
        reasons: { no_printer: t("noPrinterFits"), no_such_ticket: t("ticketGone") }, codes: { not_found: t("noPrinter") },
      }));
    }
  }

  // ---------------------------------------------------------------- rendering
  function render() {
    renderDevices();
    renderUnprinted();
    renderAlerts();
  }

  function renderDevices() {
    const lang = i18n.lang;
    const devices = [...state.devices.values()];
    $("no-devices").hidden = devices.length > 0;
    $("devices-table").hidden = devices.length === 0;
    $("devices").replaceChildren(...devices.map((d) => {
      const tr = document.createElement("tr");
      tr.dataset.device = d.name;
      tr.dataset.health = d.state;
      for (const [i, value] of [d.name, KINDS[lang][d.kind] || d.kind, place(d.attach, lang), STATES[lang][d.state] || d.state,
        clockTime(d.last_seen), String(d.queued ?? 0)].entries()) {
        const td = Object.assign(document.createElement("td"), { textContent: value });
        if (i === 3) { td.className = "health"; td.title = d.detail; }
        tr.append(td);
      }
      return tr;
    }));
  }

  function renderUnprinted() {
    const printers = [...state.devices.values()].filter((d) => d.kind === "printer").map((d) => d.name);
    const select = $("reprint-printer");
    const chosen = select.value;
    select.replaceChildren(Object.assign(document.createElement("option"), { value: "", textContent: t("defaultPrinter") }),
      ...printers.map((name) => Object.assign(document.createElement("option"), { value: name, textContent: name })));
    select.value = printers.includes(chosen) ? chosen : "";
    $("reprint-choice").hidden = printers.length < 2 || state.unprinted.length === 0;
    $("no-unprinted").hidden = state.unprinted.length > 0;
    $("unprinted-hint").hidden = state.unprinted.length === 0;
    $("unprinted").replaceChildren(...state.unprinted.map((ticket) => {
      const li = document.createElement("li");
      li.dataset.ticket = ticket.id;
      li.append(Object.assign(document.createElement("span"), { className: "u-number", textContent: ticket.number }));
      li.append(Object.assign(document.createElement("span"), { className: "u-printer",
        textContent: ticket.printer ? t("sentToPrinter", { printer: ticket.printer }) : "" }));
      const button = Object.assign(document.createElement("button"), { type: "button", textContent: t("reprint") });
      button.setAttribute("aria-label", `${t("reprint")} ${ticket.number}`);
      button.addEventListener("click", () => reprint(ticket));
      li.append(button);
      return li;
    }));
  }

  function renderAlerts() {
    $("no-alerts").hidden = state.alerts.length > 0;
    $("alerts").replaceChildren(...state.alerts.map((alert) => {
      const li = document.createElement("li");
      li.dataset.level = alertLevel(alert);
      li.dataset.source = alert.source || "";
      li.append(Object.assign(document.createElement("time"), { textContent: clockTime(alert.at), dateTime: alert.at || "" }));
      li.append(Object.assign(document.createElement("span"), { className: "a-text", textContent: alertSentence(alert, i18n.lang) }));
      if (alert.source === "device" && alert.detail && alert.state !== "online") {
        li.append(Object.assign(document.createElement("small"), { className: "a-detail", textContent: alert.detail }));
      }
      return li;
    }));
  }

  return {
    async start() {
      try {
        await seed();
      } catch (err) {
        if (err.code === "unauthorized") throw err;  // the board's own sign-in handles it
        // Otherwise the board still works; the periodic re-read fills the panel in.
      }
      clearInterval(state.timer);
      state.timer = setInterval(() => { if (session.token) load().catch(() => {}); }, DEVICES_REFRESH_MS);
    },
    stop() { clearInterval(state.timer); },
    reload: () => load().catch(() => {}),
    onAlert,
    render,
  };
}
