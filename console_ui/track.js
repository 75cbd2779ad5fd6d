// A citizen's tracking page, /t/{ticket id} (from the kiosk's QR code): place in line, estimated
// wait, and the moment the ticket is called, where to go. Live over /display, subscribed to the ticket;
// a ticket routed as a case (办件) then shows the case's progress, subscribed to the case. Once served,
// the ticket may be rated here (好差评), once; then the page shows the level given.
import { api, newIdempotencyKey } from "/ui/common/api.js";
import { describeInLanguage as describe, showMessage } from "/ui/common/errors.js";
import { createI18n, hallDate, TICKET_STATUSES, useHallZone, waitText } from "/ui/common/i18n.js";
import { connectLive } from "/ui/common/live.js";

// A routed ticket's case is linked once the case exists; until then it is tried again now and then.
const CASE_RETRY_MS = 15000;
const PHRASES = {
  zh: {
    ahead: "前面还有", eta: "预计等候", people: "{n} 人",
    goTo: "请到{floor}楼{window}号窗口", waiting: "排队中，请留意叫号", foot: "本页面会自动更新，无需刷新。",
    notFound: "找不到这张号票，请核对二维码或到服务台咨询。", reconnecting: "网络中断，正在重新连接…",
    noShow: "您的号已过号，请到服务台咨询。", done: "已办结，感谢您的耐心等候。", routed: "已受理，正在后台办理。",
    cancelled: "此号已作废。",
    caseTitle: "办件进度", caseNumber: "办件号", caseDue: "承诺 {date} 前办结",
    step_accepted: "窗口受理", step_review: "后台审批", step_ready: "办结待取件", step_out: "已出件",
    case_in_review: "审批中", case_decided: "审批完成，结果正在送回窗口", case_ready_for_pickup: "已办结，可取件",
    case_picked_up: "已取件", case_mailed: "已邮寄（快递单号见短信）",
    readyHint: "请到自助取号机按“取件”，输入办件号 {number} 和受理回执上的取件码取号，到窗口领取结果。",
    rateTitle: "请对本次服务作出评价", rateComment: "留言（选填）", rated: "您的评价：{label}", ratedThanks: "感谢您的参与！",
    level1: "非常满意", level2: "满意", level3: "基本满意", level4: "不满意", level5: "非常不满意",
    r_already_rated: "这张号票已经评价过了，以第一次评价为准。", r_rating_period_over: "已超过评价期限，无法再评价。",
    r_ticket_not_served: "办理结束后才能评价。", r_invalid_rating_level: "请选择一个评价等级。",
    // A pickup ticket (取件号): the citizen holds it already, so its own sentences.
    pickupMatter: "取件：办件 {case}", pickupWaiting: "取件排队中，叫到您的号时请到窗口领取办件结果。",
    pickupCalled: "请到{floor}楼{window}号窗口领取办件结果", pickupDone: "已领取办件结果，感谢您的耐心等候。",
    pickupNoShow: "您的取件号已过号，请到服务台咨询。", pickupHeld: "您已取到取件号 {ticket}，叫号后请到窗口领取结果（带上受理回执或身份证）。",
  },
  en: {
    ahead: "Ahead of you", eta: "Estimated wait", people: "{n}",
    goTo: "Please go to window {window}, floor {floor}", waiting: "Waiting; watch for your number", foot: "This page updates by itself.",
    notFound: "This ticket was not found; check the QR code or ask at the service desk.", reconnecting: "Connection lost; reconnecting…",
    noShow: "Your number was passed; please ask at the service desk.", done: "Done. Thank you for waiting.", routed: "Accepted; being processed by the back office.",
    cancelled: "This ticket is cancelled.",
    caseTitle: "Your case", caseNumber: "Case", caseDue: "Promised by {date}",
    step_accepted: "Accepted", step_review: "In review", step_ready: "Ready", step_out: "Collected",
    case_in_review: "In review", case_decided: "Decided; the result is on its way to the window", case_ready_for_pickup: "Done: ready for pickup",
    case_picked_up: "Picked up", case_mailed: "Mailed",
    readyHint: "At a kiosk, press Collect a result and enter case number {number} and the pickup code on your receipt, then collect it at the window.",
    rateTitle: "Please rate our service", rateComment: "Comment (optional)", rated: "Your rating: {label}", ratedThanks: "Thank you!",
    level1: "Very satisfied", level2: "Satisfied", level3: "Fairly satisfied", level4: "Dissatisfied", level5: "Very dissatisfied",
    r_already_rated: "This ticket has been rated already; the first rating counts.", r_rating_period_over: "The time to rate this service is over.",
    r_ticket_not_served: "You can rate once the service has ended.", r_invalid_rating_level: "Choose one of the levels.",
    pickupMatter: "Pickup: case {case}", pickupWaiting: "Waiting to collect your result; go to the window when your number is called.",
    pickupCalled: "Please collect your result at window {window}, floor {floor}", pickupDone: "Result collected. Thank you for waiting.",
    pickupNoShow: "Your pickup number was passed; please ask at the service desk.",
    pickupHeld: "You hold pickup ticket {ticket}; once it is called, collect the result at the window (bring the receipt or your ID card).",
  },
};

const i18n = createI18n(PHRASES);
const t = i18n.t;
const $ = (id) => document.getElementById(id);
const ticketId = decodeURIComponent(location.pathname.split("/")[2] || "");
const state = { ticket: null, catalog: null, case: null, caseLink: null, rateKey: newIdempotencyKey(), rating: false };
const SERVED = new Set(["done", "routed"]);
const CASE_STEP = { in_review: 1, approved: 1, rejected: 1, ready_for_pickup: 2, picked_up: 3 };

function render() {
  const ticket = state.ticket;
  if (!ticket) return;
  const matter = state.catalog && state.catalog.matters.find((m) => m.id === ticket.matter);
  $("hall").textContent = state.catalog ? state.catalog.hall.name : "";
  $("number").textContent = ticket.number;
  const pickup = ticket.kind === "pickup";
  document.body.dataset.kind = ticket.kind || "";
  $("matter").textContent = pickup ? t("pickupMatter", { case: ticket.case || "" }) : matter ? i18n.named(matter) : "";
  const waiting = ticket.status === "waiting";
  const called = ticket.status === "called";
  $("wait").hidden = !waiting;
  $("called").hidden = !called;
  document.body.dataset.status = ticket.status;
  if (waiting) {
    $("ahead").textContent = t("people", { n: ticket.ahead ?? 0 });
    $("eta").textContent = waitText(i18n.lang, ticket.eta_minutes, ticket.eta_range);
    $("status").textContent = t(pickup ? "pickupWaiting" : "waiting");
  } else if (called) {
    $("called").textContent = t(pickup ? "pickupCalled" : "goTo", { floor: ticket.floor, window: ticket.window });
    $("status").textContent = TICKET_STATUSES[i18n.lang].called;
  } else {
    const said = pickup ? { no_show: "pickupNoShow", done: "pickupDone" } : {};
    $("status").textContent = t(said[ticket.status] || { no_show: "noShow", done: "done", routed: "routed", cancelled: "cancelled" }[ticket.status] || "done");
  }
  renderCase();
  renderRating();
}

// ------------------------------------------------------------------ 好差评
function renderRating() {
  const ticket = state.ticket;
  const level = ticket ? ticket.rating : null;
  $("rate").hidden = !ticket || !SERVED.has(ticket.status) || level != null;
  $("rated").hidden = level == null;
  if (level != null) {
    const given = document.createElement("div");
    given.textContent = t("rated", { label: t(`level${level}`) });
    const thanks = document.createElement("small");
    thanks.textContent = t("ratedThanks");
    $("rated").replaceChildren(given, thanks);
  }
  $("rate-levels").replaceChildren(...[1, 2, 3, 4, 5].map((n) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = `level-${n}`;
    button.textContent = t(`level${n}`);  // its accessible name: 非常满意 … 非常不满意
    button.disabled = state.rating;
    button.addEventListener("click", () => rate(n));
    return button;
  }));
}

async function rate(level) {
  if (state.rating) return;
  state.rating = true;
  renderRating();
  const comment = $("rate-comment").value.trim();
  try {
    const body = { ticket: ticketId, level, channel: "tracking", ...(comment ? { comment } : {}) };
    const { rating } = await api("POST", "/ratings", { body, idempotencyKey: state.rateKey });
    state.ticket = { ...state.ticket, rating: rating.level };
    showMessage($("rate-message"), null);
  } catch (err) {
    showMessage($("rate-message"), describe(err, i18n.lang, { reasons: {
      already_rated: t("r_already_rated"), rating_period_over: t("r_rating_period_over"),
      ticket_not_served: t("r_ticket_not_served"), invalid_rating_level: t("r_invalid_rating_level"),
    } }));
    try {  // rated meanwhile (another phone, the window's pad): show the level that counts
      const fresh = (await api("GET", `/tickets/${encodeURIComponent(ticketId)}`)).ticket;
      if (fresh.rating != null) state.ticket = { ...state.ticket, rating: fresh.rating };
    } catch { /* the refusal's sentence stays */ }
  } finally {
    state.rating = false;
    renderRating();
  }
}

function onTicket(ticket) {
  if (!ticket || ticket.id !== ticketId) return;
  // Pushed updates carry no rating (the snapshot and GET do): keep the one known.
  state.ticket = "rating" in ticket ? ticket : { ...ticket, rating: state.ticket ? state.ticket.rating : null };
  showMessage($("message"), null);
  render();
  if (ticket.case && !state.caseLink) followCase();
}

// Others called before this ticket move it up: the server pushes its new place. It counts only while
// the ticket waits (a place computed just before the ticket's own call must not undo the call).
function onPlace(place) {
  if (!state.ticket || place.id !== ticketId || state.ticket.status !== "waiting") return;
  state.ticket = { ...state.ticket, ahead: place.ahead, eta_minutes: place.eta_minutes, eta_range: place.eta_range };
  render();
}

// ------------------------------------------------------------------ the case of a routed ticket
async function followCase() {
  state.caseLink = "loading";
  try {
    onCase((await api("GET", `/tickets/${encodeURIComponent(ticketId)}/case`)).case);
  } catch {
    state.caseLink = null;  // tried again at the next ticket update or retry
    return;
  }
  state.caseLink = connectLive("/display", {
    auth: { case: state.case.id },
    on: { snapshot: (snap) => onCase(snap.case), case_updated: onCase },
  });
}

function onCase(c) {
  if (!c || (state.case && c.id !== state.case.id)) return;
  state.case = c;
  renderCase();
}

function renderCase() {
  const c = state.case;
  if (!c) return;
  $("case").hidden = false;
  const pickup = state.ticket && state.ticket.kind === "pickup";
  $("status").hidden = !pickup && state.ticket && state.ticket.status === "routed";  // the case's progress says more
  $("case-number").textContent = c.number;
  const decided = c.status === "approved" || c.status === "rejected";
  const key = c.status === "picked_up" && c.handed_over === "mail" ? "mailed" : decided ? "decided" : c.status;
  $("case-status").textContent = t(`case_${key}`);
  document.body.dataset.case = c.status;
  const reached = CASE_STEP[c.status] ?? 0;
  $("case-steps").replaceChildren(...["accepted", "review", "ready", "out"].map((step, i) => {
    const li = document.createElement("li");
    li.textContent = t(`step_${step}`);
    li.className = i < reached ? "done" : i === reached ? "now" : "";
    if (i === reached) li.setAttribute("aria-current", "step");
    return li;
  }));
  $("case-due").textContent = t("caseDue", { date: hallDate(c.due_at, i18n.lang) });
  $("case-due").hidden = c.status === "picked_up";
  $("case-hint").hidden = c.status !== "ready_for_pickup" || (pickup && state.ticket.status !== "waiting" && state.ticket.status !== "called");
  // A pickup ticket's page never sends the citizen for the pickup ticket they hold.
  $("case-hint").textContent = pickup ? t("pickupHeld", { ticket: state.ticket.number }) : t("readyHint", { number: c.number });
}

// The ticket and its place are pushed; only the link to a routed ticket's case is retried here.
function retryCaseLink() {
  if (state.ticket && state.ticket.case && !state.caseLink) followCase();
}

async function start() {
  i18n.apply();
  i18n.bindSwitch($("lang"));
  i18n.onChange(() => { render(); renderCase(); });
  api("GET", "/catalog").then((c) => { state.catalog = c; useHallZone(c.hall.timezone); render(); renderCase(); }).catch(() => {});
  connectLive("/display", {
    auth: { ticket: ticketId },
    on: {
      snapshot: (snap) => onTicket(snap.ticket),
      ticket_updated: onTicket,
      ticket_place: onPlace,
      error: (err) => showMessage($("message"), err.error && err.error.code === "not_found" ? { text: t("notFound") } : describe(err.error || {}, i18n.lang)),
    },
    onStatus: (status) => { $("link").hidden = status === "up"; $("link").textContent = t("reconnecting"); },
  });
  setInterval(retryCaseLink, CASE_RETRY_MS);
}

start();
