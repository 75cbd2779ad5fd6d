// The admin board: every window by floor and every queue, live over /admin. Open, pause or close
// a window; change which queues it serves, in order, and see where its next call will come from.
// Beside them the supervision alerts (电子监察, supervision.js), the devices and the tickets still to
// print (devices.js), and the day's bookings per slot (bookings.js). A supervisor signs in here too:
// the same board, without the window controls.
import { createAccountsPanel } from "/ui/console/accounts.js";
import { describeInLanguage as describe, showMessage } from "/ui/common/errors.js";
import { createAdvicePanel } from "/ui/console/advice.js";
import { createI18n, floorLabel, floorZone, hallTime, listed, useHallZone, waitText, WINDOW_STATES } from "/ui/common/i18n.js";
import { connectLive } from "/ui/common/live.js";
import { createBookingsPanel } from "/ui/console/bookings.js";
import { createDevicesPanel } from "/ui/console/devices.js";
import { StaffSession, loginRefusal } from "/ui/console/signin.js";
import { createSupervisionPanel } from "/ui/console/supervision.js";
import { ADMIN_PHRASES } from "/ui/console/admin-phrases.js";
import { ALL_FLOORS, createBoardFilters } from "/ui/console/admin-filters.js";
import { createStaleGuard } from "/ui/console/stale-tab.js";

const REFRESH_MS = 30000;  // served-today counts and the queues' longest waits (which grow with no event) are re-read
const FOCUS_MS = 8000;     // how long a window's row stays highlighted after 定位
const SINCE_MS = 15000;    // a paused window's "N分钟" is re-counted this often
const BOARD_ROLES = ["admin", "supervisor"];
const PHRASES = ADMIN_PHRASES;

const i18n = createI18n(PHRASES);
const t = i18n.t;
const $ = (id) => document.getElementById(id);
const session = new StaffSession("hallq.admin");
const state = { catalog: null, windows: new Map(), stats: [], floor: 1, editing: null, draft: [], socket: null, role: null,
  focus: null };
const operates = () => state.role === "admin";
const filters = createBoardFilters({ i18n, states: WINDOW_STATES, onChange: () => renderWindows() });
// A stale board (its sign-in ended elsewhere): 请重新登录, the board's controls disabled until signed in again.
const stale = createStaleGuard({ banner: $("stale"), working: $("working"), also: () => [$("sign-out")], i18n,
  onSignIn: () => { session.forget(); showSignIn(); } });  // a supervisor reads the board and works the alerts only
const devices = createDevicesPanel({ session, i18n, message: $("message"), onRefused: () => expire(), canReprint: operates });
const supervision = createSupervisionPanel({ session, i18n, message: $("message"), onRefused: () => expire(), jump: focusOn });
const accounts = createAccountsPanel({ session, i18n, message: $("message"), onRefused: () => expire(), canManage: operates });
const bookings = createBookingsPanel({ session, i18n, message: $("message"), onRefused: () => expire(), now: () => supervision.serverNow() });
const advice = createAdvicePanel({ session, i18n, message: $("message"), onRefused: () => expire(), canApply: operates,
  queueName: (code) => queueName(code), onApplied: (w) => { upsert(w); render(); } });

// ------------------------------------------------------------------ data
const queueOf = (code) => state.catalog.queues.find((q) => q.code === code);
const queueName = (code) => i18n.named(queueOf(code)) || code;
const departmentName = (code) => i18n.named(state.catalog.departments.find((d) => d.code === code)) || code;

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
  const all = Object.assign(document.createElement("button"), { type: "button", textContent: t("allFloors") });
  all.setAttribute("aria-pressed", String(state.floor === ALL_FLOORS));
  all.addEventListener("click", () => { state.floor = ALL_FLOORS; render(); });
  filters.fillStates();
  $("floor-tabs").replaceChildren(all, ...state.catalog.floors.map((f) => {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = `${floorLabel(i18n.lang, f.number)} · ${floorZone(i18n.lang, f)}`;
    button.setAttribute("aria-pressed", String(f.number === state.floor));
    button.addEventListener("click", () => { state.floor = f.number; render(); });
    return button;
  }));
}

function renderWindows() {
  // The window an alert's 定位 points at stays in view whatever the filters say.
  const focused = (w) => state.focus && state.focus.window === w.number && w.floor === state.floor;
  const rows = [...state.windows.values()].filter((w) => filters.keeps(w, state.floor) || focused(w))
    .sort((a, b) => Number(a.number) - Number(b.number));
  filters.renderCount(rows.length, state.windows.size);
  filters.renderSummary([...state.windows.values()], state.stats);
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
  const when = Number.isFinite(since) ? t("since", { time: hallTime(since),
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
    showMessage($("message"), { text: t("ticketAt", { number: d.number, floor: state.floor, queue: queue ? i18n.named(queue) : "" }) }, "info");
  }
  const row = w ? document.querySelector(`#windows tr[data-window="${CSS.escape(w.number)}"]`)
    : queue && document.querySelector(`#queues tr[data-queue="${CSS.escape(queue.code)}"]`);
  if (row) row.scrollIntoView({ block: "center" });
  setTimeout(() => { if (state.focus === focus) { state.focus = null; renderWindows(); renderQueues(); } }, FOCUS_MS);
}

function queueOfNumber(number, floor) {
  const fits = state.catalog.queues.filter((q) => (floor === ALL_FLOORS || q.floor === floor) && q.prefix && number.startsWith(q.prefix));
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
  const floorQueues = state.stats.filter((q) => state.floor === ALL_FLOORS || q.floor === state.floor);
  $("queues").replaceChildren(...floorQueues.map((q) => {
    const serving = [...state.windows.values()].filter((w) => w.state === "open" && w.queues.includes(q.code)).map((w) => w.number);
    const tr = document.createElement("tr");
    tr.dataset.queue = q.code;
    if (state.focus && state.focus.queue === q.code) tr.classList.add("focus");
    for (const value of [q.quota_reached ? t("quotaReached", { queue: queueName(q.code) }) : queueName(q.code), String(q.waiting), t("minutes", { n: Math.floor(q.longest_wait_s / 60) }),
      waitText(i18n.lang, q.eta_minutes, q.eta_range), listed(i18n.lang, serving) || "—"]) {
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
  $("editor-add").replaceChildren(...choices.map((q) => Object.assign(document.createElement("option"), { value: q.code, textContent: i18n.named(q) })));
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
  if (err.code === "unauthorized") { expire(); return { text: t("expired") }; }
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

/** The sign-in has ended: the board stays in view, its controls disabled, until 重新登录. */
function expire() {
  if (state.socket) state.socket.disconnect();
  session.forget();
  stale.mark();
}

function showSignIn() {
  stale.clear();  // the board is hidden behind the form now
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
  useHallZone(state.catalog.hall.timezone);
  state.floor = state.catalog.floors[0].number;
  $("signin").hidden = true;
  $("board").hidden = false;
  stale.clear();
  $("sign-out").hidden = false;
  $("who").textContent = operates() ? session.username : t("roleSupervisor", { user: session.username });
  $("actions-head").hidden = !operates();
  await loadWindows();
  await Promise.all([devices.start(), supervision.start(), bookings.start(), advice.start(), accounts.start()]);
  state.socket = connectLive("/admin", {
    auth: { token: session.token },
    on: {
      window_updated: (w) => { upsert(w); render(); advice.windowsChanged(); },
      stats: (stats) => { state.stats = stats; renderWindows(); renderQueues(); renderEditor(); },  // the figures too
      alert: (alert) => { supervision.onAlert(alert); recountPauses(); },  // 电子监察: raised, cleared or acknowledged
      device_health: devices.onDeviceHealth,
      appointment: bookings.onAppointment,  // 预约: booked, checked in, cancelled or missed
    },
    onStatus: (status, error) => {
      $("link").hidden = status === "up" || stale.isStale();
      $("link").textContent = t("reconnecting");
      if (status === "up") { loadWindows().catch(() => {}); devices.reload(); supervision.reload(); bookings.reload(); advice.reload(); }  // what changed while down
      if (error && error.error && error.error.code === "unauthorized") expire();
    },
  });
  stale.watch(state.socket, () => session.me());
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
    session.call("GET", "/stats").then((stats) => { state.stats = stats; renderWindows(); renderQueues(); }).catch(() => {});
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
