// The admin board's hardware side: the devices panel (设备: each printer, speaker, LED screen, pager
// and evaluator with its health) and the tickets a printer still owes with a 补打 button. Device rows
// follow the `device_health` pushes live; the list is also re-read now and then, because a ticket
// queued on a printer that is already down changes no state and so raises no news. (What needs a
// person, a device down included, is an ALERT of the supervision panel: supervision.js.)
import { describeInLanguage as describe, showMessage } from "/ui/common/errors.js";
import { floorLabel, hallDay, hallTime, wallClock } from "/ui/common/i18n.js";

const DEVICES_REFRESH_MS = 10000;

export const DEVICE_PHRASES = {
  zh: {
    devices: "设备", device: "设备", kind: "类型", place: "位置", health: "状态", lastSeen: "最后联系", queued: "待处理",
    noDevices: "本大厅没有配置设备。", unprinted: "未打印的号票", noUnprinted: "没有未打印的号票。",
    unprintedHint: "未打印的号票不会在打印机恢复后自动打印（以免被下一位群众取走）；群众需要时请补打。", reprint: "补打", reprintOn: "补打用的打印机",
    defaultPrinter: "原打印机", reprinted: "已将 {number} 号票送往打印机 {printer} 补打。",
    noPrinter: "没有可用的打印机，或这张号票已不存在。", noPrinterFits: "没有可用的打印机补打这张号票。",
    ticketGone: "这张号票已不存在。", sentToPrinter: "送往 {printer}", notReprinter: "补打号票需要管理员账号。",
    speechBacklog: "播报积压：{calls} 个叫号待播报，最早的已等 {seconds} 秒（已省去重复，合并播报）",
  },
  en: {
    devices: "Devices", device: "Device", kind: "Kind", place: "Where", health: "State", lastSeen: "Last seen", queued: "Queued",
    noDevices: "No devices are configured in this hall.", unprinted: "Tickets not printed yet", noUnprinted: "Every ticket is printed.",
    unprintedHint: "They do not print by themselves once the printer is back (the next citizen would take them); reprint one when its citizen needs it.", reprint: "Reprint",
    reprintOn: "Printer for reprints", defaultPrinter: "its own printer", reprinted: "Ticket {number} was sent to printer {printer}.",
    noPrinter: "No printer fits, or the ticket no longer exists.", noPrinterFits: "No printer can reprint this ticket.",
    ticketGone: "This ticket no longer exists.", sentToPrinter: "for {printer}",
    notReprinter: "Reprinting a ticket needs an admin account.",
    speechBacklog: "{calls} calls waiting to be announced, the oldest for {seconds} s (said once, merged)",
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

function place(attach, lang) {
  const [kind, name] = attach.split(":");
  if (kind === "kiosk") return lang === "zh" ? `自助机 ${name}` : `kiosk ${name}`;
  if (kind === "floor") return floorLabel(lang, name);
  if (kind === "window") return lang === "zh" ? `${name}号窗口` : `window ${name}`;
  return attach;
}

// A device's state as a sentence that says what to do, from its codes (kind, state, attach) alone: the
// driver's own `detail` is English technical text and is never shown as the sentence.
const STATE_SENTENCES = {
  zh: { online: "已恢复正常。", unknown: "尚未使用。", paper_low: "纸将用尽，请准备更换打印纸。", paper_out: "缺纸，请装入打印纸。",
    offline: "离线（连接中断），请检查电源和连线。", error: "故障，请检查设备。" },
  en: { online: "is back to normal.", unknown: "has not been used yet.", paper_low: "is running low on paper; have a roll ready.",
    paper_out: "is out of paper; load paper.", offline: "is offline (its link is down); check its power and cable.", error: "has a fault; check the device." },
};

/** "自助机 kiosk-1的打印机 kiosk-1-printer 缺纸，请装入打印纸。" from {device, kind, state, attach}. */
export function deviceSentence(d, lang) {
  const said = (STATE_SENTENCES[lang] || STATE_SENTENCES.zh)[d.state] || STATE_SENTENCES[lang === "en" ? "en" : "zh"].error;
  const kind = (KINDS[lang] || KINDS.zh)[d.kind] || d.kind;
  const where = d.attach ? place(d.attach, lang) : "";
  if (lang === "en") return `The ${kind} ${d.device}${where ? ` at ${where}` : ""} ${said}`;
  return `${where ? `${where}的` : ""}${kind} ${d.device} ${said}`;
}

function clockTime(iso) {
  if (!iso) return "—";
  const time = hallTime(iso, true);
  if (hallDay(iso) === hallDay(Date.now())) return time;
  const day = wallClock(iso);
  return `${day.month}/${day.day} ${time}`;
}

export function createDevicesPanel({ session, i18n, message, onRefused, canReprint = () => true }) {
  const t = i18n.t;
  const $ = (id) => document.getElementById(id);
  const state = { devices: new Map(), unprinted: [], timer: null, news: 0 };

  async function load() {
    const seen = state.news;
    const answer = await session.call("GET", "/devices");
    if (state.news !== seen) {  // a device's news came while this was read: the answer may be older than it
      setTimeout(() => load().catch(() => {}), 300);
      return answer;
    }
    state.devices = new Map(answer.devices.map((d) => [d.name, d]));
    state.unprinted = answer.unprinted_tickets;
    render();
    return answer;
  }

  /** A device's health changed (`device_health` on /admin): its row, and what its printer owes. */
  function onDeviceHealth(news) {
    if (!news || !news.device) return;
    state.news += 1;
    const known = state.devices.get(news.device);
    if (known) {
      Object.assign(known, { state: news.state, detail: news.detail, since: news.at });
      if (news.state !== "offline") known.last_seen = news.at;
    }
    if (news.unprinted_tickets) state.unprinted = news.unprinted_tickets;
    renderDevices();
    renderUnprinted();
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
        reasons: { no_printer: t("noPrinterFits"), no_such_ticket: t("ticketGone"), role_not_allowed: t("notReprinter") },
        codes: { not_found: t("noPrinter") },
      }));
    }
  }

  // ---------------------------------------------------------------- rendering
  function render() {
    renderDevices();
    renderUnprinted();
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
      // 待处理: the slips a printer owes, or the calls a floor speaker has yet to announce (its backlog)
      const pending = d.backlog ? d.backlog.calls : d.queued ?? 0;
      for (const [i, value] of [d.name, KINDS[lang][d.kind] || d.kind, place(d.attach, lang), STATES[lang][d.state] || d.state,
        clockTime(d.last_seen), String(pending)].entries()) {
        const td = Object.assign(document.createElement("td"), { textContent: value });
        if (i === 3) { td.className = "health"; td.title = deviceSentence({ device: d.name, kind: d.kind, state: d.state, attach: d.attach }, lang); }
        if (i === 3 && d.backlog) {
          const seconds = Math.max(0, Math.round((Date.now() - Date.parse(d.backlog.since)) / 1000));
          td.append(Object.assign(document.createElement("small"), { className: "backlog",
            textContent: ` ${t("speechBacklog", { calls: d.backlog.calls, seconds })}` }));
        }
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
    $("reprint-choice").hidden = printers.length < 2 || state.unprinted.length === 0 || !canReprint();
    $("no-unprinted").hidden = state.unprinted.length > 0;
    $("unprinted-hint").hidden = state.unprinted.length === 0;
    $("unprinted").replaceChildren(...state.unprinted.map((ticket) => {
      const li = document.createElement("li");
      li.dataset.ticket = ticket.id;
      li.append(Object.assign(document.createElement("span"), { className: "u-number", textContent: ticket.number }));
      li.append(Object.assign(document.createElement("span"), { className: "u-printer",
        textContent: ticket.printer ? t("sentToPrinter", { printer: ticket.printer }) : "" }));
      if (canReprint()) {  // 补打 is the admin's; a supervisor sees what is owed
        const button = Object.assign(document.createElement("button"), { type: "button", textContent: t("reprint") });
        button.setAttribute("aria-label", `${t("reprint")} ${ticket.number}`);
        button.addEventListener("click", () => reprint(ticket));
        li.append(button);
      }
      return li;
    }));
  }

  return {
    async start() {
      try {
        await load();
      } catch (err) {
        if (err.code === "unauthorized") throw err;  // the board's own sign-in handles it
        // Otherwise the board still works; the periodic re-read fills the panel in.
      }
      clearInterval(state.timer);
      state.timer = setInterval(() => { if (session.token) load().catch(() => {}); }, DEVICES_REFRESH_MS);
    },
    stop() { clearInterval(state.timer); },
    reload: () => load().catch(() => {}),
    onDeviceHealth,
    render,
  };
}
