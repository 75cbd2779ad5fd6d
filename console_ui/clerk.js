// The window console: sign in at a window, then 叫号 重呼 过号 完成 转移 暂停 恢复 (F1–F7; USB
// keypads send F-keys); 暂停 asks for one of the hall's reasons (clerk-pause.js). The window and its
// queues stay live over the /clerk namespace. 核验身份: clerk-holder.js; 导办台: guide-desk.js.
import { newIdempotencyKey } from "/ui/common/api.js";
import { describeInLanguage as describe, refusedFor, showMessage } from "/ui/common/errors.js";
import { createI18n, floorLabel, hallTime, listed, minutesSince, TICKET_STATUSES, useHallZone, WINDOW_STATES } from "/ui/common/i18n.js";
import { connectLive } from "/ui/common/live.js";
import { StaffSession, loginRefusal } from "/ui/console/signin.js";
import { createCaseDesk } from "/ui/console/clerk-cases.js";
import { createHolderCheck } from "/ui/console/clerk-holder.js";
import { createGuideDesk } from "/ui/console/guide-desk.js";
import { createPauseChooser, reasonLabel } from "/ui/console/clerk-pause.js";
import { createStaleGuard } from "/ui/console/stale-tab.js";
import { bindReceiptPrint } from "/ui/console/clerk-receipt.js";
import { createPresses } from "/ui/console/clerk-presses.js";

import { CLERK_PHRASES as PHRASES } from "/ui/console/clerk-phrases.js";

const ACTIONS = {
  callNext: { path: "call-next", key: "F1", done: "called" },
  recall: { path: "recall", key: "F2", done: "recalled" },
  noShow: { path: "no-show", key: "F3", done: "noShowed" },
  finish: { path: "finish", key: "F4", done: "finished" },
  transfer: { path: "transfer", key: "F5", done: "transferred" },
  pause: { path: "pause", key: "F6", done: "pausedWith" },
  resume: { path: "resume", key: "F7", done: "resumed" },
};

const i18n = createI18n(PHRASES);
const t = i18n.t;
const $ = (id) => document.getElementById(id);
const session = new StaffSession("hallq.clerk");
const presses = createPresses();
const state = { window: null, catalog: null, stats: [], socket: null, busy: false, lastMessage: null };
const holder = createHolderCheck({ session, i18n, window: () => state.window });
const cases = createCaseDesk({
  session, i18n, message: $("message"), window: () => state.window, matterName, person: holder.person,
  released: () => { state.window = { ...state.window, current: null }; render(); },
});
const pauseChooser = createPauseChooser({
  i18n, choices: () => (state.catalog && state.catalog.hall && state.catalog.hall.pause_reasons) || [],
  pause: (reason) => act("pause", { reason }, { reason: reasonLabel(reason, i18n.lang) }),
});
// A stale tab (its sign-in ended elsewhere, or its window taken over): 请重新登录, working controls disabled.
const stale = createStaleGuard({
  banner: $("stale"), working: $("working"), also: () => [$("guide-open"), $("sign-out")], i18n, onSignIn: () => reSignIn(),
});
const guide = createGuideDesk({ session, i18n, catalog: () => state.catalog, matterName, onRefused: () => expire() });

// ------------------------------------------------------------------ sign-in
async function loadCatalog() {
  if (!state.catalog) {
    state.catalog = await session.call("GET", "/catalog");
    useHallZone(state.catalog.hall.timezone);
  }
  return state.catalog;
}

function queueName(code) {
  const q = state.catalog && state.catalog.queues.find((x) => x.code === code);
  return q ? i18n.named(q) : code;
}

function matterName(id) {
  const m = state.catalog && state.catalog.matters.find((x) => x.id === id);
  return m ? i18n.named(m) : (id || "—");
}

async function onSignIn(event) {
  event.preventDefault();
  const message = $("signin-message");
  const username = $("username").value.trim();
  const password = $("password").value;
  const windowNo = $("window").value.trim();
  try {
    if (!session.token || session.username !== username || password) {
      if (!username || !password) { showMessage(message, { text: t("needCredentials") }); return; }
      const who = await session.login(username, password);
      if (who.role !== "clerk") { await session.logout(); showMessage(message, { text: t("notClerk") }); return; }
      $("password").value = "";
    }
    if (!windowNo) { showMessage(message, { text: t("needWindow") }, "info"); $("window").focus(); return; }
    const answer = await session.call("POST", `/windows/${encodeURIComponent(windowNo)}/sign-in`, { idempotencyKey: newIdempotencyKey() });
    localStorage.setItem("hallq.clerk.window", answer.window.number);
    showMessage(message, null);
    await enterConsole(answer.window);
  } catch (err) {
    if (!session.token || err.code === "unauthorized") {
      if (err.code === "unauthorized" && session.token) session.forget();
      showMessage(message, loginRefusal(err, i18n));
      return;
    }
    showMessage(message, signInRefusal(err));
  }
}

function signInRefusal(err) {
  return describe(err, i18n.lang, {
    reasons: {
      window_of_other_department: t("otherDepartment"), role_not_allowed: t("notClerk"),
      window_taken: t("otherClerk"), window_of_other_clerk: t("otherClerk"),
      // The clerk's ticket is still open at the window they come from: say which one.
      serving_at_other_window: (d) => (d.window ? t("servingElsewhere", { window: d.window }) : t("servingElsewhereAny")),
      window_changed: t("windowChanged"),
    },
    codes: { not_found: t("noWindow"), invalid: t("noWindow") },
  });
}

function showSignIn() {
  stale.clear();  // the console is hidden behind the form now
  $("console").hidden = true;
  $("signin").hidden = false;
  $("sign-out").hidden = $("guide-open").hidden = true;
  $("window-state").hidden = true;
  guide.close();
  $("who").textContent = "";
  $("username").value = session.username || "";
  $("window").value = localStorage.getItem("hallq.clerk.window") || "";
  ($("username").value ? $("password") : $("username")).focus();
}

async function enterConsole(window) {
  await loadCatalog();
  state.window = window;
  $("signin").hidden = true;
  $("console").hidden = false;
  $("sign-out").hidden = $("guide-open").hidden = false;
  stale.clear();
  fillTransferQueues();
  render();
  connect();
  cases.enter();
}

function connect() {
  if (state.socket) state.socket.disconnect();
  state.socket = connectLive("/clerk", {
    auth: { token: session.token },
    on: {
      window_updated: (w) => {
        if (!state.window || w.number !== state.window.number || w.version < state.window.version) return;
        state.window = w;
        render();
        if (w.clerk !== session.username) stale.mark("notYourWindow");
      },
      stats: (stats) => { state.stats = stats; renderQueues(); },
      case_updated: cases.onCase,
    },
    onStatus: (status, error) => {
      $("link").hidden = status === "up" || stale.isStale();
      $("link").textContent = t("reconnecting");
      if (error && error.error && error.error.code === "unauthorized") expire();
    },
  });
  stale.watch(state.socket, () => session.me());
  session.call("GET", "/stats").then((stats) => { state.stats = stats; renderQueues(); }).catch(() => {});
}

// ------------------------------------------------------------------ rendering
function render() {
  const w = state.window;
  $("who").textContent = t("whoAt", { user: session.username, window: w.number });
  const badge = $("window-state");
  badge.hidden = false;
  badge.dataset.state = w.state;
  badge.textContent = pauseChooser.show(w) || WINDOW_STATES[i18n.lang][w.state];  // 暂停中：午休
  renderCurrent();
  renderQueues();
  cases.render();
  holder.sync();
}

function renderCurrent() {
  const box = $("current");
  const ticket = state.window.current;
  box.replaceChildren();
  if (!ticket) {
    const none = document.createElement("div");
    none.className = "current-none";
    none.textContent = t("none");
    box.append(none);
    return;
  }
  const number = document.createElement("div");
  number.className = "current-number";
  number.id = "current-number";
  number.textContent = ticket.number;
  const facts = document.createElement("dl");
  facts.className = "current-facts";
  const rows = [
    ["matter", ticket.case && !ticket.matter ? t("pickupTicket", { case: ticket.case }) : matterName(ticket.matter)],
    ["waited", t("minutes", { n: minutesSince(ticket.issued_at, ticket.called_at ? Date.parse(ticket.called_at) : Date.now()) })],
    ["calledAt", ticket.called_at ? hallTime(ticket.called_at, true) : "—"],
    ["recalls", String(ticket.recalls ?? 0)],
    ["status", TICKET_STATUSES[i18n.lang][ticket.status]],
  ];
  for (const [key, value] of rows) {
    facts.append(Object.assign(document.createElement("dt"), { textContent: t(key) }));
    facts.append(Object.assign(document.createElement("dd"), { textContent: value }));
  }
  box.append(number, facts);
}

function renderQueues() {
  if (!state.window) return;
  const byCode = new Map(state.stats.map((q) => [q.code, q]));
  $("queue-counts").replaceChildren(...state.window.queues.map((code) => {
    const q = byCode.get(code);
    const tr = document.createElement("tr");
    tr.dataset.queue = code;
    tr.innerHTML = "<td></td><td class='num'></td><td></td>";
    tr.children[0].textContent = queueName(code);
    tr.children[1].textContent = q ? String(q.waiting) : "—";
    tr.children[2].textContent = q ? t("minutes", { n: Math.floor(q.longest_wait_s / 60) }) : "—";
    return tr;
  }));
}

function fillTransferQueues() {
  $("transfer-queue").replaceChildren(...state.catalog.queues.map((q) =>
    Object.assign(document.createElement("option"), { value: q.code, textContent: `${floorLabel(i18n.lang, q.floor)} · ${i18n.named(q)} (${q.prefix})` })));
}

// The console's last word on a press, said again when the language changes; any other message (from an
// earlier moment, in the old language) is taken away then, so no line stays in the other language.
let said = null; // { make, kind, text }

function say(make, kind = "error") {
  const message = make();
  said = { make, kind, text: message.text };
  showMessage($("message"), message, kind);
}

function sayAgain() {
  const box = $("message");
  const current = box.querySelector(".message-text");
  if (said && current && current.textContent === said.text) say(said.make, said.kind);
  else showMessage(box, null);
}

// ------------------------------------------------------------------ actions
async function act(name, body, extra = {}) {
  if (state.busy || !state.window || stale.isStale()) return;
  const action = ACTIONS[name];
  const number = state.window.current ? state.window.current.number : "";
  state.busy = true;
  setButtons(false);
  try {
    const answer = await session.call("POST", `/windows/${state.window.number}/${action.path}`, { body, idempotencyKey: presses.keyFor(state.window.number, name, body) });
    presses.answered();
    if (answer.window) state.window = answer.window;
    if (answer.ticket) {
      const ticket = answer.ticket;
      state.window = { ...state.window, current: ticket.status === "called" ? ticket : null };
    }
    const shown = answer.ticket ? answer.ticket.number : number;
    say(() => ({ text: t(action.done, { number: shown, queue: body && body.queue ? queueName(body.queue) : "", ...extra }) }), "info");
    render();
  } catch (err) {
    if (err.code !== "network") presses.answered(); // the server answered: a new press gets a new key
    say(() => actionRefusal(name, err, number));
    if (err.code === "unauthorized") expire();
    else if (refusedFor(err, "not_signed_in_here", "window_of_other_clerk")) stale.mark("notYourWindow");
  } finally {
    state.busy = false;
    setButtons(true);
  }
}

function actionRefusal(name, err, number) {
  const w = state.window;
  const queueEmpty = t("queueEmpty", { queues: listed(i18n.lang, w.queues.map(queueName)) });
  return describe(err, i18n.lang, {
    reasons: {
      queue_empty: queueEmpty,
      window_paused: t("pausedNoCall"), window_closed: t("closedNoCall"),
      window_not_open: t("notOpen"), window_not_paused: t("notPaused"),
      no_current_ticket: t("noCurrent"), ticket_not_called: t("ticketNotCalled"),
      recall_limit: t("recallLimit", { number }), same_queue: t("sameQueue"),
      no_such_queue: t("noQueue"), unknown_queue: t("noQueue"),
      not_signed_in_here: t("notYourWindow"), window_of_other_clerk: t("otherClerkNow"), role_not_allowed: t("notClerk"),
      window_changed: t("windowChanged"),
      ...(name === "pause" ? { invalid_field: t("chooseReason") } : {}),
    },
    // A server that names no reason: what the window's own state says, as far as it goes.
    codes: {
      queue_empty: queueEmpty, forbidden: t("notYourWindow"), unauthorized: t("expired"),
      conflict: conflictFromState(name, w),
      ...(name === "transfer" ? { not_found: t("noQueue") } : {}),
    },
  });
}

function conflictFromState(name, w) {
  if (name === "callNext") return t(w.state === "closed" ? "closedNoCall" : "pausedNoCall");
  if (name === "pause") return t("notOpen");
  if (name === "resume") return t("notPaused");
  return w.current ? undefined : t("noCurrent");
}

function setButtons(enabled) {
  for (const button of document.querySelectorAll(".actions button")) button.disabled = !enabled;
}

function startTransfer() {
  if (!state.window) return;
  if (!state.window.current) { showMessage($("message"), { text: t("noCurrent") }); return; }
  $("transfer-dialog").showModal();
}

function onTransferClosed() {
  const dialog = $("transfer-dialog");
  if (dialog.returnValue === "ok") act("transfer", { queue: $("transfer-queue").value });
}

function onKey(event) {
  if ($("console").hidden || stale.isStale() || $("transfer-dialog").open || pauseChooser.isOpen() || cases.anyDialogOpen() || guide.isOpen()) return;
  const entry = Object.entries(ACTIONS).find(([, a]) => a.key === event.key);
  if (!entry) return;
  event.preventDefault();  // F1 help, F3 find, F5 reload … belong to the console here
  if (event.repeat) return;
  run(entry[0]);
}

function run(name) {
  if (name === "transfer") startTransfer();
  else if (name === "pause") pauseChooser.open();
  else if (name === "callNext") { if (state.window) act(name, presses.callNextBody(state.window.number, state.window.current)); }
  else act(name);
}

/** The sign-in has ended: the console stays in view, disabled, until 重新登录. */
function expire() {
  if (state.socket) state.socket.disconnect();
  session.forget();
  stale.mark();
}

/** 重新登录 from a stale console: the sign-in form (the token kept when it still stands, for the window alone). */
function reSignIn() {
  if (state.socket) state.socket.disconnect();
  state.window = null;
  showSignIn();
  if (!session.token) showMessage($("signin-message"), { text: t("expired") });
}

async function signOut() {
  if (state.window) {
    try {
      await session.call("POST", `/windows/${state.window.number}/sign-out`, { idempotencyKey: newIdempotencyKey() });
    } catch (err) {
      if (err.code === "conflict") {
        showMessage($("message"), describe(err, i18n.lang, {
          reasons: { window_still_serving: t("stillServing"), window_changed: t("windowChanged") },
          codes: { conflict: t("stillServing") },
        }));
        return;
      }
    }
  }
  if (state.socket) state.socket.disconnect();
  state.window = null;
  await session.logout();
  showSignIn();
}

// ------------------------------------------------------------------ start
async function start() {
  i18n.apply();
  i18n.bindSwitch($("lang"));
  i18n.onChange(() => { if (state.window) { render(); sayAgain(); } });
  $("signin").addEventListener("submit", onSignIn);
  for (const button of document.querySelectorAll(".actions button")) button.addEventListener("click", () => run(button.dataset.action));
  $("transfer-dialog").addEventListener("close", onTransferClosed);
  $("sign-out").addEventListener("click", signOut);
  bindReceiptPrint($("print-receipt"));
  document.addEventListener("keydown", onKey);
  if (session.token) {
    try {
      const me = await session.me();
      if (me.window) {
        await loadCatalog();
        const answer = await session.call("GET", `/windows/${me.window}`);
        await enterConsole(answer.window);
        return;
      }
    } catch (err) {
      if (err.code === "unauthorized") session.forget();
    }
  }
  showSignIn();
}

start();
