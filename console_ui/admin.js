// The admin board: every window by floor and every queue, live over /admin. Open, pause or close
// a window; change which queues it serves, in order, and see where its next call will come from.
// Beside them the supervision alerts (电子监察, supervision.js), the devices and the tickets still to
// print (devices.js), and the day's bookings per slot (bookings.js). A supervisor signs in here too:
// the same board, without the window controls.
import { ACCOUNT_PHRASES, createAccountsPanel } from "/ui/console/accounts.js";
import { describeInLanguage as describe, showMessage } from "/ui/common/errors.js";
import { ADVICE_PHRASES, createAdvicePanel } from "/ui/console/advice.js";
import { createI18n, floorLabel, waitText, WINDOW_STATES } from "/ui/common/i18n.js";
import { connectLive } from "/ui/common/live.js";
import { BOOKING_PHRASES, createBookingsPanel } from "/ui/console/bookings.js";
import { DEVICE_PHRASES, createDevicesPanel } from "/ui/console/devices.js";
import { SIGNIN_PHRASES, StaffSession, loginRefusal } from "/ui/console/signin.js";
import { SUPERVISION_PHRASES, createSupervisionPanel } from "/ui/console/supervision.js";

const REFRESH_MS = 30000;  // served-today counts and the queues' longest waits (which grow with no event) are re-read
const FOCUS_MS = 8000;     // how long a window's row stays highlighted after 定位
const SINCE_MS = 15000;    // a paused window's "N分钟" is re-counted this often
const BOARD_ROLES = ["admin", "supervisor"];
const PHRASES = {
  zh: {
    ...SIGNIN_PHRASES.zh,
    ...DEVICE_PHRASES.zh,
    ...SUPERVISION_PHRASES.zh, ...BOOKING_PHRASES.zh, ...ADVICE_PHRASES.zh, ...ACCOUNT_PHRASES.zh,
    title: "大厅管理", signinTitle: "大厅管理 · 电子监察登录", windows: "窗口", window: "窗口", department: "部门", state: "状态",
    clerk: "工作人员", current: "当前号", served: "今日办结", queues: "服务队列（按顺序）", nextFrom: "下次叫号来自",
    actions: "操作", open: "开放", pause: "暂停", close: "关闭", editQueues: "调整队列", queueBoard: "排队情况",
    queue: "队列", waiting: "等候", longest: "最长等候", eta: "预计等候", servedBy: "服务窗口", minutes: "{n} 分钟",
    nobody: "无人等候", fromQueue: "{queue}（{n}人等候）", addQueue: "添加队列", add: "添加", save: "保存", cancel: "取消",
    up: "上移", down: "下移", remove: "移除", editing: "{window}号窗口的服务队列", hallStaff: "大厅综合窗口",
    preview: "保存后，下次叫号来自：{from}", saved: "{window}号窗口现在服务：{queues}。", stateSet: "{window}号窗口已{state}。",
    reconnecting: "与服务器的连接中断，正在重新连接…", notAdmin: "大厅管理需要管理员或电子监察账号。",
    notOperator: "电子监察账号只能查看窗口，开放、暂停、关闭和调整队列由大厅管理员操作。",
    since: "{time}起（{n}分钟）", roleSupervisor: "{user} · 电子监察（只读）",
    stillServing: "{window}号窗口还有正在办理的号，办结后才能关闭。", emptyQueues: "窗口至少要服务一个队列。",
    otherFloor: "只能选择本楼层的队列。", noSuchWindow: "没有这个窗口。", listedTwice: "同一个队列只能添加一次。",
    unknownQueue: "没有这个队列，请重新选择。", windowChanged: "{window}号窗口刚刚有变化，请再试一次。", quotaReached: "{queue}（今日号源已满）",
  },
  en: {
    ...SIGNIN_PHRASES.en,
    ...DEVICE_PHRASES.en,
    ...SUPERVISION_PHRASES.en, ...BOOKING_PHRASES.en, ...ADVICE_PHRASES.en, ...ACCOUNT_PHRASES.en,
    title: "Hall admin", signinTitle: "Hall admin / supervisor sign-in", windows: "Windows", window: "Window", department: "Department", state: "State",
    clerk: "Clerk", current: "Current", served: "Served today", queues: "Queues (in order)", nextFrom: "Next call from",
    actions: "Actions", open: "Open", pause: "Pause", close: "Close", editQueues: "Queues…", queueBoard: "Queues",
    queue: "Queue", waiting: "Waiting", longest: "Longest wait", eta: "Est. wait", servedBy: "Windows", minutes: "{n} min",
    nobody: "nobody waiting", fromQueue: "{queue} ({n} waiting)", addQueue: "Add a queue", add: "Add", save: "Save", cancel: "Cancel",
    up: "Up", down: "Down", remove: "Remove", editing: "Queues of window {window}", hallStaff: "Hall staff",
    preview: "Once saved, the next call comes from: {from}", saved: "Window {window} now serves: {queues}.", stateSet: "Window {window} is now {state}.",
    reconnecting: "Connection lost; reconnecting…", notAdmin: "The admin board needs an admin or supervisor account.",
    notOperator: "A supervisor account watches the windows; the hall admin opens, pauses, closes and reassigns them.",
    since: "since {time} ({n} min)", roleSupervisor: "{user} · supervisor (read only)",
    stillServing: "Window {window} still serves a ticket; it can close once that is finished.", emptyQueues: "A window must serve at least one queue.",
    otherFloor: "Choose queues of the window's own floor.", noSuchWindow: "There is no such window.", listedTwice: "A queue can be listed only once.",
    unknownQueue: "There is no such queue; choose again.", windowChanged: "Window {window} changed meanwhile; try again.",
    quotaReached: "{queue} (today's quota reached)",
  },
};

const i18n = createI18n(PHRASES);
const t = i18n.t;
const $ = (id) => document.getElementById(id);
const session = new StaffSession("hallq.admin");
const state = { catalog: null, windows: new Map(), stats: [], floor: 1, editing: null, draft: [], socket: null, role: null,
  focus: null };
const operates = () => state.role === "admin";  // a supervisor reads the board and works the alerts only
const devices = createDevicesPanel({ session, i18n, message: $("message"), onRefused: () => expire(), canReprint: operates });
const supervision = createSupervisionPanel({ session, i18n, message: $("message"), onRefused: () => expire(), jump: focusOn });
const accounts = createAccountsPanel({ session, i18n, message: $("message"), onRefused: () => expire(), canManage: operates });
const bookings = createBookingsPanel({ session, i18n, message: $("message"), onRefused: () => expire(), now: () => supervision.serverNow() });
const advice = createAdvicePanel({ session, i18n, message: $("message"), onRefused: () => expire(), canApply: operates,
  queueName: (code) => queueName(code), onApplied: (w) => { upsert(w); render(); } });

// ------------------------------------------------------------------ data
const queueOf = (code) => state.catalog.queues.find((q) => q.code === code);
const queueName = (code) => (queueOf(code) || { name: code }).name;
const departmentName = (code) => (state.catalog.departments.find((d) => d.code === code) || { name: code }).name;

async function loadWindows() {
  const list = await session.call("GET", "/windows");
  for (const w of list) upsert(w);  // a push newer than this answer (it may cross the read) stays
  render();
}

function nextFrom(queues) {
  // The window's queues in its order; the first with someone waiting gives the next call
  // (green-channel tickets of any of its queues go first, as the call rule says).
  const byCode = new Map(state.stats.map((q) => [q.code, q]));
  for (const code of queues) {
    const q = byCode.get(code);
    if (q && q.waiting > 0) return t("fromQueue", { queue: queueName(code), n: q.waiting });
  }
  return t("nobody");
}

// ------------------------------------------------------------------ rendering
function render() {
  if (!state.catalog) return;
  renderTabs();
  renderWindows();
  renderQueues();
  renderEditor();
  devices.render();
  supervision.render();
  bookings.render(); advice.render(); accounts.render();
}

function renderTabs() {
  $("floor-tabs").replaceChildren(...state.catalog.floors.map((f) => {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = `${floorLabel(i18n.lang, f.number)} · ${f.name.split(" ").pop()}`;
    button.setAttribute("aria-pressed", String(f.number === state.floor));
    button.addEventListener("click", () => { state.floor = f.number; render(); });
    return button;
  }));
}

function renderWindows() {
  const rows = [...state.windows.values()].filter((w) => w.floor === state.floor)
    .sort((a, b) => Number(a.number) - Number(b.number));
  $("windows").replaceChildren(...rows.map((w) => {
    const tr = document.createElement("tr");
    tr.dataset.window = w.number;
    tr.dataset.state = w.state;
    const focus = state.focus && state.focus.window === w.number ? state.focus : null;
    if (focus) tr.classList.add("focus");
    const cells = [
      w.number, w.department ? departmentName(w.department) : t("hallStaff"), WINDOW_STATES[i18n.lang][w.state],
      w.clerk || "—", w.current ? w.current.number : "—", String(w.served_today ?? 0),
      w.queues.map(queueName).join(" › "), w.state === "open" ? nextFrom(w.queues) : "—",
    ];
    for (const [i, value] of cells.entries()) {
      const td = document.createElement("td");
      td.textContent = value;
      if (i === 4 && focus && focus.number && focus.number !== value) {  // the alert's ticket, beside the one served now
        if (!w.current) td.textContent = "";
        td.append(Object.assign(document.createElement("span"), { className: "focus-chip", textContent: focus.number }));
      }
      if (i === 4 && focus && focus.number === value) td.classList.add("focus-number");
      if (i === 2) { td.className = "state"; pausedWhy(td, w); }
      if (i === 7) td.className = "next";
      tr.append(td);
    }
    if (!operates()) return tr;
    const actions = document.createElement("td");
    for (const [label, target] of [["open", "open"], ["pause", "paused"], ["close", "closed"]]) {
      if (w.state === target) continue;
      actions.append(button(t(label), () => setState(w.number, target), `${t(label)} ${w.number}`));
    }
    actions.append(button(t("editQueues"), () => edit(w.number), `${t("editQueues")} ${w.number}`));
    tr.append(actions);
    return tr;
  }));
}

/** A paused window: why (the clerk's reason) and since when. */
function pausedWhy(td, w) {
  if (w.state !== "paused") return;
  const small = Object.assign(document.createElement("small"), { className: "s-why" });
  Object.assign(small.dataset, { why: w.pause_reason || "", since: w.state_since || "" });
  td.append(small);
  pausedFor(small);
}

const recountPauses = () => document.querySelectorAll("#windows .s-why").forEach(pausedFor);

/** "会议 · 09:00起（31分钟）", counted on the hall's clock (re-counted now and then, and on each alert). */
function pausedFor(small) {
  const since = Date.parse(small.dataset.since);
  const pad = (n) => String(n).padStart(2, "0");
  const when = Number.isFinite(since) ? t("since", { time: `${pad(new Date(since).getHours())}:${pad(new Date(since).getMinutes())}`,
    n: Math.max(0, Math.floor((supervision.serverNow() - since) / 60000)) }) : "";
  small.textContent = [small.dataset.why, when].filter(Boolean).join(" · ");
}

/** 定位 on an alert: the window's floor, its row scrolled to and highlighted (with the ticket's number);
 * a ticket still waiting: its queue's row; a device: its row in the devices panel. */
function focusOn(alert) {
  const d = alert.detail || {};
  if (d.device) {  // a device: its row in the devices panel
    const row = document.querySelector(`#devices tr[data-device="${CSS.escape(d.device)}"]`);
    if (!row) return;
    row.classList.add("focus");
    row.scrollIntoView({ block: "center" });
    setTimeout(() => row.classList.remove("focus"), FOCUS_MS);
    return;
  }
  const w = d.window != null ? state.windows.get(String(d.window)) : null;
  const floor = Number(d.floor ?? (w && w.floor));
  if (Number.isFinite(floor) && state.catalog.floors.some((f) => f.number === floor)) state.floor = floor;
  // A ticket waiting for no window yet: its queue's row (the number's prefix names the queue).
  const queue = w || !d.number ? null : (d.queue && queueOf(d.queue)) || queueOfNumber(d.number, state.floor);
  const focus = state.focus = { window: w ? w.number : null, number: d.number || null, queue: queue && queue.code };
  render();
  if (!w && d.number) {
    showMessage($("message"), { text: t("ticketAt", { number: d.number, floor: state.floor, queue: queue ? queue.name : "" }) }, "info");
  }
  const row = w ? document.querySelector(`#windows tr[data-window="${CSS.escape(w.number)}"]`)
    : queue && document.querySelector(`#queues tr[data-queue="${CSS.escape(queue.code)}"]`);
  if (row) row.scrollIntoView({ block: "center" });
  setTimeout(() => { if (state.focus === focus) { state.focus = null; renderWindows(); renderQueues(); } }, FOCUS_MS);
}

function queueOfNumber(number, floor) {
  const fits = state.catalog.queues.filter((q) => q.floor === floor && q.prefix && number.startsWith(q.prefix));
  return fits.sort((a, b) => b.prefix.length - a.prefix.length)[0] || null;
}

function button(text, onClick, label) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  if (label) b.setAttribute("aria-label", label);
  b.addEventListener("click", onClick);
  return b;
}

function renderQueues() {
  const floorQueues = state.stats.filter((q) => q.floor === state.floor);
  $("queues").replaceChildren(...floorQueues.map((q) => {
    const serving = [...state.windows.values()].filter((w) => w.state === "open" && w.queues.includes(q.code)).map((w) => w.number);
    const tr = document.createElement("tr");
    tr.dataset.queue = q.code;
    if (state.focus && state.focus.queue === q.code) tr.classList.add("focus");
    for (const value of [q.quota_reached ? t("quotaReached", { queue: q.name }) : q.name, String(q.waiting), t("minutes", { n: Math.floor(q.longest_wait_s / 60) }),
      waitText(i18n.lang, q.eta_minutes, q.eta_range), serving.join("、") || "—"]) {
      tr.append(Object.assign(document.createElement("td"), { textContent: value }));
    }
    return tr;
  }));
}

function renderEditor() {
  const editor = $("editor");
  const w = state.editing && state.windows.get(state.editing);
  editor.hidden = !w;
  if (!w) return;
  $("editor-title").textContent = t("editing", { window: w.number });
  $("editor-queues").replaceChildren(...state.draft.map((code, i) => {
    const li = document.createElement("li");
    li.dataset.queue = code;
    li.append(Object.assign(document.createElement("span"), { textContent: `${queueName(code)} (${queueOf(code).prefix})` }));
    li.append(button(t("up"), () => move(i, -1), `${t("up")} ${queueName(code)}`));
    li.append(button(t("down"), () => move(i, 1), `${t("down")} ${queueName(code)}`));
    li.append(button(t("remove"), () => { state.draft.splice(i, 1); renderEditor(); }, `${t("remove")} ${queueName(code)}`));
    return li;
  }));
  const choices = state.catalog.queues.filter((q) => q.floor === w.floor && !state.draft.includes(q.code));
  $("editor-add").replaceChildren(...choices.map((q) => Object.assign(document.createElement("option"), { value: q.code, textContent: q.name })));
  $("editor-add-button").disabled = choices.length === 0;
  $("editor-preview").textContent = t("preview", { from: nextFrom(state.draft) });
}

function move(i, step) {
  const j = i + step;
  if (j < 0 || j >= state.draft.length) return;
  [state.draft[i], state.draft[j]] = [state.draft[j], state.draft[i]];
  renderEditor();
}

function edit(number) {
  state.editing = number;
  state.draft = [...state.windows.get(number).queues];
  renderEditor();
}

// ------------------------------------------------------------------ commands
async function saveQueues() {
  const number = state.editing;
  try {
    const answer = await session.call("PUT", `/windows/${number}/queues`, { body: { queues: state.draft } });
    upsert(answer.window);
    state.editing = null;
    showMessage($("message"), { text: t("saved", { window: number, queues: answer.window.queues.map(queueName).join(" › ") }) }, "info");
    render();
  } catch (err) {
    showMessage($("message"), refusal(err, number));
  }
}

async function setState(number, target) {
  try {
    const answer = await session.call("PUT", `/windows/${number}/state`, { body: { state: target } });
    upsert(answer.window);
    showMessage($("message"), { text: t("stateSet", { window: number, state: WINDOW_STATES[i18n.lang][target] }) }, "info");
    render();
  } catch (err) {
    showMessage($("message"), refusal(err, number));
  }
}

function refusal(err, number) {
  if (err.code === "unauthorized") { session.forget(); showSignIn(); return { text: t("expired") }; }
  return describe(err, i18n.lang, {
    reasons: {
      window_still_serving: t("stillServing", { window: number }), no_queues: t("emptyQueues"),
      queue_listed_twice: t("listedTwice"), queue_on_other_floor: t("otherFloor"),
      unknown_queue: t("unknownQueue"), no_such_window: t("noSuchWindow"),
      window_changed: t("windowChanged", { window: number }), role_not_allowed: t("notOperator"),
    },
    // An empty list may be refused as a malformed body before the rule is reached.
    codes: { not_found: t("noSuchWindow"), invalid: state.editing && state.draft.length === 0 ? t("emptyQueues") : undefined },
  });
}

function upsert(w) {
  const known = state.windows.get(w.number);
  if (known && known.version > w.version) return;
  state.windows.set(w.number, { ...w, served_today: w.served_today ?? known?.served_today });
}

// ------------------------------------------------------------------ sign-in and live link
async function onSignIn(event) {
  event.preventDefault();
  supervision.unlockSound();  // this click lets the red-alert alarm sound later
  const message = $("signin-message");
  const username = $("username").value.trim();
  const password = $("password").value;
  if (!username || !password) { showMessage(message, { text: t("needCredentials") }); return; }
  try {
    const who = await session.login(username, password);
    if (!BOARD_ROLES.includes(who.role)) { await session.logout(); showMessage(message, { text: t("notAdmin") }); return; }
    state.role = who.role;
    $("password").value = "";
    showMessage(message, null);
    await enterBoard();
  } catch (err) {
    showMessage(message, loginRefusal(err, i18n));
  }
}

function expire() {
  session.forget();
  showSignIn();
  showMessage($("signin-message"), { text: t("expired") });
}

function showSignIn() {
  if (state.socket) state.socket.disconnect();
  devices.stop();
  supervision.stop();
  bookings.stop(); advice.stop(); accounts.stop();
  state.editing = null;
  $("board").hidden = true;
  $("signin").hidden = false;
  $("sign-out").hidden = true;
  $("who").textContent = "";
}

async function enterBoard() {
  state.catalog = state.catalog || await session.call("GET", "/catalog");
  state.floor = state.catalog.floors[0].number;
  $("signin").hidden = true;
  $("board").hidden = false;
  $("sign-out").hidden = false;
  $("who").textContent = operates() ? session.username : t("roleSupervisor", { user: session.username });
  $("actions-head").hidden = !operates();
  await loadWindows();
  await Promise.all([devices.start(), supervision.start(), bookings.start(), advice.start(), accounts.start()]);
  state.socket = connectLive("/admin", {
    auth: { token: session.token },
    on: {
      window_updated: (w) => { upsert(w); render(); advice.windowsChanged(); },
      stats: (stats) => { state.stats = stats; renderWindows(); renderQueues(); renderEditor(); },
      alert: (alert) => { supervision.onAlert(alert); recountPauses(); },  // 电子监察: raised, cleared or acknowledged
      device_health: devices.onDeviceHealth,
      appointment: bookings.onAppointment,  // 预约: booked, checked in, cancelled or missed
    },
    onStatus: (status, error) => {
      $("link").hidden = status === "up";
      $("link").textContent = t("reconnecting");
      if (status === "up") { loadWindows().catch(() => {}); devices.reload(); supervision.reload(); bookings.reload(); advice.reload(); }  // what changed while down
      if (error && error.error && error.error.code === "unauthorized") expire();
    },
  });
}

async function start() {
  i18n.apply();
  i18n.bindSwitch($("lang"));
  i18n.onChange(render);
  $("signin").addEventListener("submit", onSignIn);
  $("sign-out").addEventListener("click", async () => { await session.logout(); showSignIn(); });
  $("editor-add-button").addEventListener("click", () => { state.draft.push($("editor-add").value); renderEditor(); });
  $("editor-save").addEventListener("click", saveQueues);
  $("editor-cancel").addEventListener("click", () => { state.editing = null; renderEditor(); });
  setInterval(() => {
    if ($("board").hidden) return;
    loadWindows().catch(() => {});
    session.call("GET", "/stats").then((stats) => { state.stats = stats; renderQueues(); }).catch(() => {});
  }, REFRESH_MS);
  setInterval(recountPauses, SINCE_MS);
  if (session.token) {
    try {
      const me = await session.me();
      if (BOARD_ROLES.includes(me.role)) { state.role = me.role; await enterBoard(); return; }
    } catch (err) {
      if (err.code === "unauthorized") session.forget();
    }
  }
  showSignIn();
}

start();
