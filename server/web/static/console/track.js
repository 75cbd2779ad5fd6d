// A citizen's tracking page, /t/{ticket id} (from the kiosk's QR code): place in line, estimated
// wait, and the moment the ticket is called, where to go. Live over /display, subscribed to the ticket.
import { api } from "/ui/common/api.js";
import { describe, showMessage } from "/ui/common/errors.js";
import { createI18n, TICKET_STATUSES } from "/ui/common/i18n.js";
import { connectLive } from "/ui/common/live.js";

// Others being called moves this ticket up without an event of its own: re-read now and then.
const REFRESH_MS = 15000;
const PHRASES = {
  zh: {
    ahead: "前面还有", eta: "预计等候", people: "{n} 人", minutes: "约 {n} 分钟",
    goTo: "请到{floor}楼{window}号窗口", waiting: "排队中，请留意叫号", foot: "本页面会自动更新，无需刷新。",
    notFound: "找不到这张号票，请核对二维码或到服务台咨询。", reconnecting: "网络中断，正在重新连接…",
    noShow: "您的号已过号，请到服务台咨询。", done: "已办结，感谢您的耐心等候。", routed: "已受理，正在后台办理。",
    cancelled: "此号已作废。",
  },
  en: {
    ahead: "Ahead of you", eta: "Estimated wait", people: "{n}", minutes: "about {n} min",
    goTo: "Please go to window {window}, floor {floor}", waiting: "Waiting; watch for your number", foot: "This page updates by itself.",
    notFound: "This ticket was not found; check the QR code or ask at the service desk.", reconnecting: "Connection lost; reconnecting…",
    noShow: "Your number was passed; please ask at the service desk.", done: "Done. Thank you for waiting.", routed: "Accepted; being processed by the back office.",
    cancelled: "This ticket is cancelled.",
  },
};

const i18n = createI18n(PHRASES);
const t = i18n.t;
const $ = (id) => document.getElementById(id);
const ticketId = decodeURIComponent(location.pathname.split("/")[2] || "");
const state = { ticket: null, catalog: null };

function render() {
  const ticket = state.ticket;
  if (!ticket) return;
  const matter = state.catalog && state.catalog.matters.find((m) => m.id === ticket.matter);
  $("hall").textContent = state.catalog ? state.catalog.hall.name : "";
  $("number").textContent = ticket.number;
  $("matter").textContent = matter ? matter.name : "";
  const waiting = ticket.status === "waiting";
  const called = ticket.status === "called";
  $("wait").hidden = !waiting;
  $("called").hidden = !called;
  document.body.dataset.status = ticket.status;
  if (waiting) {
    $("ahead").textContent = t("people", { n: ticket.ahead ?? 0 });
    $("eta").textContent = t("minutes", { n: ticket.eta_minutes ?? "—" });
    $("status").textContent = t("waiting");
  } else if (called) {
    $("called").textContent = t("goTo", { floor: ticket.floor, window: ticket.window });
    $("status").textContent = TICKET_STATUSES[i18n.lang].called;
  } else {
    $("status").textContent = t({ no_show: "noShow", done: "done", routed: "routed", cancelled: "cancelled" }[ticket.status] || "done");
  }
}

function onTicket(ticket) {
  if (!ticket || ticket.id !== ticketId) return;
  state.ticket = ticket;
  showMessage($("message"), null);
  render();
}

async function refresh() {
  if (state.ticket && state.ticket.status !== "waiting") return;
  try {
    onTicket((await api("GET", `/tickets/${encodeURIComponent(ticketId)}`)).ticket);
  } catch (err) {
    if (err.code === "not_found") showMessage($("message"), { text: t("notFound") });
  }
}

async function start() {
  i18n.apply();
  i18n.bindSwitch($("lang"));
  i18n.onChange(render);
  api("GET", "/catalog").then((c) => { state.catalog = c; render(); }).catch(() => {});
  connectLive("/display", {
    auth: { ticket: ticketId },
    on: {
      snapshot: (snap) => onTicket(snap.ticket),
      ticket_updated: onTicket,
      error: (err) => showMessage($("message"), err.error && err.error.code === "not_found" ? { text: t("notFound") } : describe(err.error || {}, i18n.lang)),
    },
    onStatus: (status) => { $("link").hidden = status === "up"; $("link").textContent = t("reconnecting"); },
  });
  setInterval(refresh, REFRESH_MS);
}

start();
