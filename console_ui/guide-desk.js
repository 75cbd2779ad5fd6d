// 导办台 (首问负责): the staff member the citizen asked first gets them a ticket, through the same
// POST /tickets the kiosk uses, with the staff token: a matter (from /catalog) with the ID card's number
// and name, a phone for notices and 绿色通道 when they apply; a booking's check-in by its code; and
// 过号顺延 of a no-show by its number (POST /tickets/requeue). Every refusal is a sentence chosen by its
// reason (ui_common/errors.js). The issued ticket is shown as a slip to read out, print on the desk's
// printer (the browser's print: only the slip prints) or scan: its QR code opens the tracking page.
import { newIdempotencyKey } from "/ui/common/api.js";
import { describeInLanguage as describe, showMessage } from "/ui/common/errors.js";
import { waitText } from "/ui/common/i18n.js";

const PHONE = /^1[3-9]\d{9}$/;
const ID_SHAPE = /^\d{17}[\dXx]$/;

export const GUIDE_PHRASES = {
  zh: {
    guideDesk: "导办台", guideTitle: "导办台 · 首问负责", guideClose: "关闭",
    issueFor: "代群众取号", findMatter: "搜索事项", matterChoice: "事项", idNumber: "身份证号（选填）",
    holderName: "持证人姓名", phoneForNotices: "手机号（选填，短信通知）", greenChannel: "绿色通道", issue: "代取号",
    checkIn: "预约签到", bookingCode: "预约码", checkInButton: "签到取号", requeue: "过号顺延", ticketNumber: "号码",
    requeueButton: "顺延", slipTitle: "号票", slipIssued: "已出号 {number}", slipRequeued: "{number} 已顺延",
    kindWalkIn: "现场取号", kindAppointment: "预约签到", kindPickup: "取件", green: "绿色通道", slipKind: "类型",
    slipMatter: "事项", slipAhead: "前面等候", slipEta: "预计等候", slipHolder: "持证人", slipPhone: "手机",
    people: "{n} 人", slipHint: "请把号码告诉群众；扫码可在手机上查看排队进度，叫号时请留意大厅屏幕和广播。",
    printSlip: "打印号票", scanToTrack: "扫码查看排队进度", quotaFull: "（今日号源已满）",
    chooseMatter: "请先选择事项。", needIdAndName: "填写身份证号时请同时填写持证人姓名。",
    idShape: "身份证号应为18位（最后一位可以是X），请核对。", phoneShape: "手机号应为11位数字，如 13812341234。",
    codeShape: "预约码是6位数字，请核对短信。", numberShape: "请填写号码，如 A004。", noSuchTicket: "今天没有发出这个号，请核对号码。",
    noMatter: "事项目录里没有这个事项，请重新选择。", notIssuer: "这个账号不能代取号。",
  },
  en: {
    guideDesk: "Guide desk", guideTitle: "Guide desk · first-asked responsibility", guideClose: "Close",
    issueFor: "Ticket for a citizen", findMatter: "Find a matter", matterChoice: "Matter", idNumber: "ID number (optional)",
    holderName: "Name on the ID card", phoneForNotices: "Phone (optional, for SMS)", greenChannel: "Green channel", issue: "Issue",
    checkIn: "Booking check-in", bookingCode: "Booking code", checkInButton: "Check in", requeue: "Re-queue a no-show",
    ticketNumber: "Number", requeueButton: "Re-queue", slipTitle: "Ticket", slipIssued: "Issued {number}",
    slipRequeued: "{number} re-queued", kindWalkIn: "Walk-in", kindAppointment: "Booking", kindPickup: "Pickup",
    green: "green channel", slipKind: "Kind", slipMatter: "Matter", slipAhead: "Ahead", slipEta: "Est. wait",
    slipHolder: "Holder", slipPhone: "Phone", people: "{n}",
    slipHint: "Tell the citizen the number; the QR code follows the queue on their phone. Calls show on the hall's screens.",
    printSlip: "Print", scanToTrack: "Scan to follow the queue", quotaFull: " (today's quota reached)",
    chooseMatter: "Choose a matter first.", needIdAndName: "With an ID number, enter the holder's name too.",
    idShape: "An ID number has 18 characters (the last may be X); check it.", phoneShape: "A phone number has 11 digits, such as 13812341234.",
    codeShape: "A booking code has 6 digits; check the message.", numberShape: "Enter the number, such as A004.",
    noSuchTicket: "No ticket with this number was issued today; check it.", noMatter: "There is no such matter; choose again.",
    notIssuer: "This account cannot issue tickets.",
  },
};

/**
 * @param console_ what the console lends: session, i18n, catalog() → the /catalog answer, onRefused(err)
 *   (the sign-in ran out), matterName(id)
 */
export function createGuideDesk(console_) {
  const { session, i18n } = console_;
  const t = i18n.t;
  const $ = (id) => document.getElementById(id);
  const dialog = $("guide-dialog");
  const state = { busy: false, attempt: null, quotaFull: new Set() };

  // ---------------------------------------------------------------- the matter picker
  function fillMatters() {
    const catalog = console_.catalog();
    const chosen = $("guide-matter").value;
    const words = $("guide-search").value.trim();
    const groups = new Map();
    for (const m of catalog.matters) {
      if (words && !m.name.includes(words) && !(m.name_en || "").toLowerCase().includes(words.toLowerCase())) continue;
      if (!groups.has(m.department)) groups.set(m.department, []);
      groups.get(m.department).push(m);
    }
    $("guide-matter").replaceChildren(...[...groups].map(([code, matters]) => {
      const department = catalog.departments.find((d) => d.code === code);
      const group = Object.assign(document.createElement("optgroup"), { label: department ? i18n.named(department) : code });
      group.append(...matters.map((m) => Object.assign(document.createElement("option"), {
        value: m.id, textContent: i18n.named(m) + (state.quotaFull.has(m.queue) ? t("quotaFull") : "") })));
      return group;
    }));
    $("guide-matter").value = chosen;
    if (!$("guide-matter").value && words && $("guide-matter").options.length) $("guide-matter").selectedIndex = 0;
  }

  async function open() {
    showMessage($("guide-message"), null);
    fillMatters();
    dialog.showModal();
    $("guide-search").focus();
    try {  // 今日号源已满 beside the matters of a queue that reached its quota
      const stats = await session.call("GET", "/stats");
      state.quotaFull = new Set(stats.filter((q) => q.quota_reached).map((q) => q.code));
      fillMatters();
    } catch { /* the picker works without it; the server still says so when it refuses */ }
  }

  // ---------------------------------------------------------------- commands
  /** One Idempotency-Key per request as typed: a retry of the same (a double press, a timeout) gets the
   * first answer, never a second ticket; anything changed is a new request. */
  async function post(path, body) {
    const same = state.attempt && state.attempt.path === path && state.attempt.body === JSON.stringify(body);
    if (!same) state.attempt = { path, body: JSON.stringify(body), key: newIdempotencyKey() };
    const answer = await session.call("POST", path, { body, idempotencyKey: state.attempt.key });
    state.attempt = null;
    return answer;
  }

  async function run(path, body, done) {
    if (state.busy) return;
    state.busy = true;
    showMessage($("guide-message"), null);
    $("guide-slip").hidden = true;  // handed over already; what shows next is this request's answer
    try {
      const answer = await post(path, body);
      done();
      showSlip(answer.ticket, path.endsWith("/requeue"));
    } catch (err) {
      if (err.code === "unauthorized") { dialog.close(); console_.onRefused(err); return; }
      showMessage($("guide-message"), describe(err, i18n.lang, {
        reasons: { no_such_ticket: t("noSuchTicket"), no_such_matter: t("noMatter"), invalid_phone: t("phoneShape") },
        codes: { forbidden: t("notIssuer") },
      }));
    } finally {
      state.busy = false;
    }
  }

  function refuse(key) {
    showMessage($("guide-message"), { text: t(key) });
  }

  function issue(event) {
    event.preventDefault();
    const matter = $("guide-matter").value;
    const number = $("guide-id").value.trim().toUpperCase();
    const name = $("guide-name").value.trim();
    const phone = $("guide-phone").value.trim();
    if (!matter) return refuse("chooseMatter");
    if (number && !ID_SHAPE.test(number)) return refuse("idShape");
    if (Boolean(number) !== Boolean(name)) return refuse("needIdAndName");
    if (phone && !PHONE.test(phone)) return refuse("phoneShape");
    const body = { matter, priority: $("guide-green").checked ? "green" : "normal" };
    if (number) body.id_card = { number, name };
    if (phone) body.phone = phone;
    return run("/tickets", body, () => {  // the next citizen starts from a blank form
      for (const id of ["guide-id", "guide-name", "guide-phone"]) $(id).value = "";
      $("guide-green").checked = false;
    });
  }

  function checkIn(event) {
    event.preventDefault();
    const code = $("guide-code").value.trim();
    if (!/^\d{6}$/.test(code)) return refuse("codeShape");
    return run("/tickets", { appointment: code }, () => { $("guide-code").value = ""; });
  }

  function requeue(event) {
    event.preventDefault();
    const number = $("guide-number").value.trim().toUpperCase();
    if (!/^[A-Z]{1,2}\d{3,6}$/.test(number)) return refuse("numberShape");
    return run("/tickets/requeue", { number }, () => { $("guide-number").value = ""; });
  }

  // ---------------------------------------------------------------- the slip
  function showSlip(ticket, requeued) {
    $("slip-number").textContent = ticket.number;
    $("slip-said").textContent = t(requeued ? "slipRequeued" : "slipIssued", { number: ticket.number });
    const kind = { walk_in: t("kindWalkIn"), appointment: t("kindAppointment"), pickup: t("kindPickup") }[ticket.kind] || "";
    const holder = ticket.holder || {};
    const rows = [
      ["slipMatter", ticket.matter ? console_.matterName(ticket.matter) : ticket.case || ""],
      ["slipKind", ticket.priority === "green" ? `${kind} · ${t("green")}` : kind],
      ["slipAhead", t("people", { n: ticket.ahead ?? 0 })],
      ["slipEta", waitText(i18n.lang, ticket.eta_minutes, ticket.eta_range)],
      ["slipHolder", [holder.name, holder.id_number].filter(Boolean).join(" ")],  // masked: the desk is no serving window
      ["slipPhone", holder.phone || ""],
    ].filter(([, value]) => value);
    $("slip-facts").replaceChildren(...rows.flatMap(([key, value]) => [
      Object.assign(document.createElement("dt"), { textContent: t(key) }),
      Object.assign(document.createElement("dd"), { textContent: value, className: `slip-${key}` })]));
    $("slip-qr").src = `/t/${encodeURIComponent(ticket.id)}/qr.svg`;
    $("slip-qr").alt = t("scanToTrack");
    $("guide-slip").hidden = false;
  }

  $("guide-open").addEventListener("click", open);
  $("guide-close").addEventListener("click", () => dialog.close());
  $("guide-search").addEventListener("input", fillMatters);
  $("guide-issue").addEventListener("submit", issue);
  $("guide-checkin").addEventListener("submit", checkIn);
  $("guide-requeue").addEventListener("submit", requeue);
  $("slip-print").addEventListener("click", () => window.print());

  return { isOpen: () => dialog.open, close: () => { if (dialog.open) dialog.close(); } };
}
