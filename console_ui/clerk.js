// The window console: sign in at a window, then 叫号 重呼 过号 完成 转移 暂停 恢复 (F1–F7; USB
// keypads send F-keys); 暂停 asks for one of the hall's reasons (clerk-pause.js). The window and its
// queues stay live over the /clerk namespace. 核验身份: clerk-holder.js; 导办台: guide-desk.js.
import { newIdempotencyKey } from "/ui/common/api.js";
import { describe, showMessage } from "/ui/common/errors.js";
import { createI18n, minutesSince, TICKET_STATUSES, WINDOW_STATES } from "/ui/common/i18n.js";
import { connectLive } from "/ui/common/live.js";
import { SIGNIN_PHRASES, StaffSession, loginRefusal } from "/ui/console/signin.js";
import { CASE_PHRASES, createCaseDesk } from "/ui/console/clerk-cases.js";
import { HOLDER_PHRASES, createHolderCheck } from "/ui/console/clerk-holder.js";
import { GUIDE_PHRASES, createGuideDesk } from "/ui/console/guide-desk.js";
import { PAUSE_PHRASES, createPauseChooser, reasonLabel } from "/ui/console/clerk-pause.js";

const PHRASES = {
  zh: {
    ...SIGNIN_PHRASES.zh,
    ...CASE_PHRASES.zh,
    ...PAUSE_PHRASES.zh, ...HOLDER_PHRASES.zh, ...GUIDE_PHRASES.zh,
    title: "窗口叫号", signinTitle: "窗口工作人员登录", window: "窗口", signOut: "退出窗口",
    needWindow: "请填写您所在的窗口号。", current: "当前办理", myQueues: "本窗口队列", queue: "队列", waiting: "等候",
    longest: "最长等候", minutes: "{n} 分钟", none: "暂无办理中的号，按“叫号”开始。",
    matter: "事项", waited: "等候时长", calledAt: "叫号时间", recalls: "重呼次数", status: "状态",
    callNext: "叫号", recall: "重呼", noShow: "过号", finish: "完成", transfer: "转移", pause: "暂停", resume: "恢复",
    transferTo: "转到队列", confirmTransfer: "确认转移", cancel: "取消",
    whoAt: "{user} · {window}号窗口", reconnecting: "与服务器的连接中断，正在重新连接…",
    called: "已叫 {number} 号。", recalled: "已重呼 {number} 号。", noShowed: "{number} 号已过号。", finished: "{number} 号已办结。",
    transferred: "{number} 号已转到{queue}。", paused: "窗口已暂停服务。", resumed: "窗口已恢复服务。",
    queueEmpty: "本窗口的队列（{queues}）现在没有等候的号。",
    pausedNoCall: "窗口已暂停，请先按“恢复”再叫号。", closedNoCall: "窗口已关闭，不能叫号；请联系大厅管理员开放窗口。",
    noCurrent: "当前没有正在办理的号，请先叫号。", recallLimit: "{number} 号已达到重呼次数上限，请按“过号”。",
    sameQueue: "该号已在所选队列中等候，请选择其他队列。", notPaused: "窗口没有暂停，无需恢复。", notOpen: "窗口不是开放状态，不能暂停。",
    notYourWindow: "您已不在本窗口签到（可能已被管理员关闭或在别处签到），请重新登录。",
    otherClerk: "该窗口已由其他工作人员签到；需对方先退出，或由管理员关闭窗口。",
    otherDepartment: "该窗口不属于您的部门，不能在此签到。", noWindow: "没有这个窗口号，请核对后重新填写。",
    stillServing: "本窗口还有正在办理的号，请先完成、过号或转移再退出。", notClerk: "窗口叫号需要窗口工作人员账号。",
    noQueue: "没有这个队列，请重新选择。",
    servingElsewhere: "您在{window}号窗口还有正在办理的号，请先在那里完成、过号或转移，再到本窗口签到。",
    servingElsewhereAny: "您在另一个窗口还有正在办理的号，请先在那里完成、过号或转移，再到本窗口签到。",
    otherClerkNow: "本窗口现已由其他工作人员签到，您不能在此操作，请重新登录。",
    ticketNotCalled: "该号已不在办理中，请叫下一个号。", windowChanged: "窗口状态刚刚有变化，请再按一次。",
  },
  en: {
    ...SIGNIN_PHRASES.en,
    ...CASE_PHRASES.en,
    ...PAUSE_PHRASES.en, ...HOLDER_PHRASES.en, ...GUIDE_PHRASES.en,
    title: "Window console", signinTitle: "Window staff sign-in", window: "Window", signOut: "Leave window",
    needWindow: "Enter the number of your window.", current: "Now serving", myQueues: "This window's queues", queue: "Queue",
    waiting: "Waiting", longest: "Longest wait", minutes: "{n} min", none: "No ticket is being served; press Call next.",
    matter: "Matter", waited: "Waited", calledAt: "Called at", recalls: "Recalls", status: "Status",
    callNext: "Call next", recall: "Recall", noShow: "No-show", finish: "Finish", transfer: "Transfer", pause: "Pause", resume: "Resume",
    transferTo: "Transfer to queue", confirmTransfer: "Transfer", cancel: "Cancel",
    whoAt: "{user} · window {window}", reconnecting: "Connection lost; reconnecting…",
    called: "Called {number}.", recalled: "Recalled {number}.", noShowed: "{number} marked as no-show.", finished: "{number} finished.",
    transferred: "{number} transferred to {queue}.", paused: "The window is paused.", resumed: "The window is open again.",
    queueEmpty: "No ticket is waiting in this window's queues ({queues}).",
    pausedNoCall: "The window is paused; press Resume before calling.", closedNoCall: "The window is closed; ask the hall admin to open it.",
    noCurrent: "No ticket is being served; call one first.", recallLimit: "{number} has been recalled the most times allowed; mark it as a no-show.",
    sameQueue: "The ticket already waits in that queue; choose another.", notPaused: "The window is not paused.", notOpen: "Only an open window can pause.",
    notYourWindow: "You are no longer signed in at this window (an admin closed it, or you signed in elsewhere); sign in again.",
    otherClerk: "Another clerk is signed in at this window; they must sign out first, or an admin closes the window.",
    otherDepartment: "This window belongs to another department; you cannot sign in there.", noWindow: "There is no such window; check the number.",
    stillServing: "This window still serves a ticket; finish, mark or transfer it before leaving.", notClerk: "The window console needs a clerk account.",
    noQueue: "There is no such queue; choose again.",
    servingElsewhere: "You still serve a ticket at window {window}; finish, mark or transfer it there before signing in here.",
    servingElsewhereAny: "You still serve a ticket at another window; finish, mark or transfer it there before signing in here.",
    otherClerkNow: "Another clerk is now signed in at this window; you cannot operate it. Sign in again.",
    ticketNotCalled: "That ticket is no longer being served; call the next one.", windowChanged: "The window changed meanwhile; press again.",
  },
};

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
const guide = createGuideDesk({ session, i18n, catalog: () => state.catalog, matterName, onRefused: () => expire() });

// ------------------------------------------------------------------ sign-in
async function loadCatalog() {
  if (!state.catalog) state.catalog = await session.call("GET", "/catalog");
  return state.catalog;
}

function queueName(code) {
  const q = state.catalog && state.catalog.queues.find((x) => x.code === code);
  return q ? q.name : code;
}

function matterName(id) {
  const m = state.catalog && state.catalog.matters.find((x) => x.id === id);
  return m ? m.name : (id || "—");
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
        if (w.clerk !== session.username) showMessage($("message"), { text: t("notYourWindow") });
        render();
      },
      stats: (stats) => { state.stats = stats; renderQueues(); },
      case_updated: cases.onCase,
    },
    onStatus: (status, error) => {
      $("link").hidden = status === "up";
      $("link").textContent = t("reconnecting");
      if (error && error.error && error.error.code === "unauthorized") expire();
    },
  });
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
    ["calledAt", ticket.called_at ? new Date(ticket.called_at).toLocaleTimeString("zh-CN", { hour12: false }) : "—"],
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
    Object.assign(document.createElement("option"), { value: q.code, textContent: `${q.floor}楼 · ${q.name} (${q.prefix})` })));
}

// ------------------------------------------------------------------ actions
// A press whose answer never came (the network, or the 8 s timeout): pressing the same button again
// retries it with the same Idempotency-Key, so a call-next that did land is answered again instead of
// finishing that citizen and calling the next one (issue 14). Any answer, a refusal too, ends it.
let unanswered = null; // { press, key }

function keyFor(press) {
  if (!unanswered || unanswered.press !== press) unanswered = { press, key: newIdempotencyKey() };
  return unanswered.key;
}

async function act(name, body, said = {}) {
  if (state.busy || !state.window) return;
  const action = ACTIONS[name];
  const number = state.window.current ? state.window.current.number : "";
  const press = JSON.stringify([state.window.number, name, body === undefined ? null : body]);
  state.busy = true;
  setButtons(false);
  try {
    const answer = await session.call("POST", `/windows/${state.window.number}/${action.path}`, { body, idempotencyKey: keyFor(press) });
    unanswered = null;
    if (answer.window) state.window = answer.window;
    if (answer.ticket) {
      const ticket = answer.ticket;
      state.window = { ...state.window, current: ticket.status === "called" ? ticket : null };
    }
    const shown = answer.ticket ? answer.ticket.number : number;
    showMessage($("message"), { text: t(action.done, { number: shown, queue: body ? queueName(body.queue) : "", ...said }) }, "info");
    render();
  } catch (err) {
    if (err.code !== "network") unanswered = null; // the server answered: a new press gets a new key
    showMessage($("message"), actionRefusal(name, err, number));
    if (err.code === "unauthorized") expire();
  } finally {
    state.busy = false;
    setButtons(true);
  }
}

function actionRefusal(name, err, number) {
  const w = state.window;
  const queueEmpty = t("queueEmpty", { queues: w.queues.map(queueName).join("、") });
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
  if ($("console").hidden || $("transfer-dialog").open || pauseChooser.isOpen() || cases.anyDialogOpen() || guide.isOpen()) return;
  const entry = Object.entries(ACTIONS).find(([, a]) => a.key === event.key);
  if (!entry) return;
  event.preventDefault();  // F1 help, F3 find, F5 reload … belong to the console here
  if (event.repeat) return;
  run(entry[0]);
}

function run(name) {
  if (name === "transfer") startTransfer();
  else if (name === "pause") pauseChooser.open();
  else act(name);
}

function expire() {
  if (state.socket) state.socket.disconnect();
  session.forget();
  showSignIn();
  showMessage($("signin-message"), { text: t("expired") });
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
  i18n.onChange(() => { if (state.window) render(); });
  $("signin").addEventListener("submit", onSignIn);
  for (const button of document.querySelectorAll(".actions button")) button.addEventListener("click", () => run(button.dataset.action));
  $("transfer-dialog").addEventListener("close", onTransferClosed);
  $("sign-out").addEventListener("click", signOut);
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
