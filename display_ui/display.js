// Waiting-area screens: /display?floor=N (the floor's calls, windows and queues) and
// /display?window=W (one window's current number), both with the floor's results ready for pickup
// (case numbers only). Live over Socket.IO; resynced from the server's snapshot after every
// reconnect. No personal data is ever sent to them. The floor screen speaks the calls.
import { api } from "/ui/common/api.js";
import { describe } from "/ui/common/errors.js";
import { createI18n, clock, waitText, WINDOW_STATES } from "/ui/common/i18n.js";
import { connectLive } from "/ui/common/live.js";
import { createCallSounds } from "/ui/display/chime.js";

const RECENT = 8;
const FLASH_MS = 12000;
const READY_PAGE_MS = 8000;  // more ready cases than fit on one line: the next line after this
const WINDOW_PAGE_MS = 8000;  // more open windows than fit at a size readable from 5 m: the next page after this
const PHRASES = {
  zh: {
    nowCalling: "正在叫号", recentCalls: "最近叫号", windows: "窗口", queues: "排队情况", queue: "队列",
    waiting: "等候人数", eta: "预计等候", toWindow: "请到 {window} 号窗口",
    serving: "正在办理", windowNo: "{window} 号窗口", reconnecting: "与服务器的连接中断，正在重新连接…",
    connecting: "正在连接服务器…", badAddress: "请在地址中指定楼层或窗口", none: "—", hallWindow: "综合服务窗口",
    noSuchPlace: "没有这个楼层或窗口，请检查屏幕的地址。", readyLabel: "请以下办件到窗口取件：", readyCount: "共 {n} 件",
    quotaReached: "今日号源已满", windowsPage: "第 {page}/{pages} 页",
  },
  en: {
    nowCalling: "Now calling", recentCalls: "Recent calls", windows: "Windows", queues: "Queues", queue: "Queue",
    waiting: "Waiting", eta: "Est. wait", toWindow: "Please go to window {window}",
    serving: "Now serving", windowNo: "Window {window}", reconnecting: "Connection lost; reconnecting…",
    connecting: "Connecting to the server…", badAddress: "Add a floor or window to the address", none: "—", hallWindow: "Hall service window",
    noSuchPlace: "There is no such floor or window; check the screen's address.",
    readyLabel: "Results ready, collect at the windows:", readyCount: "{n} in all",
    quotaReached: "No more tickets today", windowsPage: "Page {page}/{pages}",
  },
};

const i18n = createI18n(PHRASES);
const t = i18n.t;
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const mode = params.has("window") ? "window" : params.has("floor") ? "floor" : null;
const subscription = mode === "window" ? { window: params.get("window") } : { floor: Number(params.get("floor")) };
const sounds = createCallSounds();

const state = {
  snapshot: null, windows: new Map(), recent: [], stats: [], departments: {}, timezone: undefined, flashTimer: null,
  ready: [], readyFrom: 0, windowPage: 0,
};

// ------------------------------------------------------------------ rendering
function render() {
  if (mode === "floor") renderFloor(); else renderWindow();
  renderReady();
}

// The case numbers whose result waits at this floor's windows (统一出件), one line of them at a
// time: a long list turns to its next line every few seconds.
function renderReady() {
  const root = $(mode === "floor" ? "ready" : "w-ready");
  const numbers = state.ready;
  root.hidden = numbers.length === 0;
  if (state.readyFrom >= numbers.length) state.readyFrom = 0;
  root.querySelector(".ready-numbers").replaceChildren(...numbers.slice(state.readyFrom).map((number) =>
    Object.assign(document.createElement("span"), { className: "ready-number", textContent: number })));
  root.querySelector(".ready-count").textContent = t("readyCount", { n: numbers.length });
}

function turnReadyLine() {
  const shown = [...document.querySelectorAll(`#${mode === "floor" ? "ready" : "w-ready"} .ready-number`)];
  if (!shown.length) return;
  const onFirstLine = shown.filter((el) => el.offsetTop === shown[0].offsetTop).length;
  if (onFirstLine === shown.length && state.readyFrom === 0) return;  // all of them fit
  state.readyFrom = onFirstLine === shown.length ? 0 : state.readyFrom + onFirstLine;
  renderReady();
}

function renderFloor() {
  const snap = state.snapshot;
  $("hall").textContent = snap.hall;
  $("floor-name").textContent = snap.floor_name;
  const notice = snap.notice || "";
  if ($("notice").dataset.text !== notice) {
    $("notice").dataset.text = notice;
    $("notice").replaceChildren(...[notice, notice].map((text) => Object.assign(document.createElement("span"), { textContent: text })));
  }
  const latest = beingCalled();
  $("latest-number").textContent = latest ? latest.number : t("none");
  $("latest-window").textContent = latest ? t("toWindow", { window: latest.window }) : "";

  $("recent").replaceChildren(...state.recent.filter((call) => call !== latest).slice(0, RECENT).map((call) => {
    const li = document.createElement("li");
    li.innerHTML = `<span class="r-number"></span><span class="r-window"></span>`;
    li.querySelector(".r-number").textContent = call.number;
    li.querySelector(".r-window").textContent = t("windowNo", { window: call.window });
    return li;
  }));

  renderWindowGrid();

  // A queue out of tickets for today (限号) stays listed, so that nobody queues at the kiosk for it.
  const queues = state.stats.filter((q) => q.waiting > 0 || q.open_windows > 0 || q.quota_reached);
  $("queues").parentElement.dataset.density = queues.length > 6 ? "compact" : "roomy";
  $("queues").replaceChildren(...queues.map((q) => {
    const tr = document.createElement("tr");
    tr.innerHTML = "<td></td><td></td><td></td>";
    tr.dataset.queue = q.code;
    tr.children[0].textContent = q.name;
    tr.children[1].textContent = String(q.waiting);
    tr.children[2].textContent = q.quota_reached ? t("quotaReached") : waitText(i18n.lang, q.eta_minutes, q.eta_range);
    if (q.quota_reached) tr.className = "quota-reached";
    return tr;
  }));
}

// The call shown under 正在叫号: the newest whose ticket is still at its window. Once the ticket
// leaves (finished, transferred, no-show, routed; the window paused or closed) the banner lets it go;
// it stays in the recent calls.
function beingCalled() {
  return state.recent.find((call) => {
    const w = state.windows.get(call.window);
    return w && w.state === "open" && w.current && w.current.number === call.number;
  }) || null;
}

function windowTile(w) {
  const tile = document.createElement("div");
  tile.className = `tile tile-${w.state}`;
  tile.dataset.window = w.number;
  tile.innerHTML = `<span class="t-window"></span><span class="t-current"></span>`;
  tile.querySelector(".t-window").textContent = w.number;
  tile.querySelector(".t-current").textContent = w.state === "paused" ? WINDOW_STATES[i18n.lang].paused : (w.current ? w.current.number : t("none"));
  return tile;
}

// The open windows at one size (numbers readable from 5 m, docs/screens.md); as many as fit on a
// page, and the pages turn every WINDOW_PAGE_MS.
function renderWindowGrid() {
  const grid = $("windows");
  const shown = [...state.windows.values()].filter((w) => w.state !== "closed");
  const perPage = windowsPerPage(grid, shown[0]);
  const pages = Math.max(1, Math.ceil(shown.length / perPage));
  state.windowPage %= pages;
  grid.replaceChildren(...shown.slice(state.windowPage * perPage, (state.windowPage + 1) * perPage).map(windowTile));
  grid.dataset.page = String(state.windowPage + 1);
  grid.dataset.pages = String(pages);
  $("windows-page").hidden = pages === 1;
  $("windows-page").textContent = t("windowsPage", { page: state.windowPage + 1, pages });
}

function windowsPerPage(grid, sample) {
  if (!sample) return 1;
  grid.replaceChildren(windowTile(sample));
  const style = getComputedStyle(grid);
  const columns = style.gridTemplateColumns.split(" ").length;
  const gap = parseFloat(style.rowGap) || 0;
  const room = grid.parentElement.getBoundingClientRect().bottom - grid.getBoundingClientRect().top;
  const rows = Math.max(1, Math.floor((room + gap) / (grid.firstElementChild.offsetHeight + gap)));
  return columns * rows;
}

function turnWindowPage() {
  if (mode !== "floor" || !state.snapshot || $("windows").dataset.pages === "1") return;
  state.windowPage += 1;
  renderWindowGrid();
}

function renderWindow() {
  const w = state.windows.values().next().value;
  if (!w) return;
  $("w-number").textContent = t("windowNo", { window: w.number });
  $("w-department").textContent = w.department ? (state.departments[w.department] || w.department) : t("hallWindow");
  // The clerk's display name (工号 and name), when the account has one; screens never get usernames.
  $("w-clerk").hidden = !w.clerk_name;
  $("w-clerk").textContent = w.clerk_name || "";
  const open = w.state === "open";
  $("w-paused").hidden = open;
  $("w-paused").textContent = WINDOW_STATES[i18n.lang][w.state];
  $("w-current").hidden = $("w-current-label").hidden = !open;
  $("w-current").textContent = w.current ? w.current.number : t("none");
  document.body.dataset.windowState = w.state;
}

function flash() {
  document.body.classList.remove("flash");
  void document.body.offsetWidth;  // restart the animation
  document.body.classList.add("flash");
  clearTimeout(state.flashTimer);
  state.flashTimer = setTimeout(() => document.body.classList.remove("flash"), FLASH_MS);
}

// ------------------------------------------------------------------ events
function onSnapshot(snap) {
  state.snapshot = snap;
  state.windows = new Map(snap.windows.map((w) => [w.number, w]));
  state.recent = snap.recent_calls.slice(0, RECENT + 1);
  state.stats = snap.stats;
  state.ready = snap.ready_cases || [];
  showLink("up");
  render();
}

const AUDIO_WAIT_MS = 6000;       // a speaker renders a call in well under a second; later, it is down
const awaitingAudio = new Map();  // "A023@15" -> the fallback chime's timer
let spokenAudio = [];             // the last WAVs queued, newest first

function onCalled(call) {
  if (mode === "floor" && call.floor !== state.snapshot?.floor) return;
  state.recent = [call, ...state.recent.filter((c) => !(c.number === call.number && c.window === call.window))].slice(0, RECENT + 1);
  // A floor screen hears a call as one frame: the window's new state comes with it (window_state;
  // docs/screens.md). Without it (a recall; a window screen) the ticket is at the window now, and the
  // window's own update (window_updated) follows.
  if (call.window_state) applyWindow(call.window_state);
  const w = state.windows.get(call.window);
  if (w && !call.window_state) w.current = { ...(w.current || {}), number: call.number };
  render();
  flash();
  if (mode === "floor" && state.snapshot?.call_audio) {
    // The floor's speaker renders the call with its own chime first (call_audio follows); chime here
    // only if that audio does not come, so the floor never hears two chimes nor silence.
    const key = `${call.number}@${call.window}`;
    clearTimeout(awaitingAudio.get(key));
    // While the floor still hears earlier calls, the speaker holds this one back to merge it (a busy
    // floor, docs/hardware.md): its audio is late, not missing.
    const fallback = () => {
      if (sounds.speaking()) { awaitingAudio.set(key, setTimeout(fallback, AUDIO_WAIT_MS)); return; }
      awaitingAudio.delete(key);
      sounds.chime();
    };
    awaitingAudio.set(key, setTimeout(fallback, AUDIO_WAIT_MS));
  } else {
    sounds.chime();
  }
}

// The spoken call, once a speaker driver rendered it (after its ticket_called): floor screens only,
// so the window screens of the same hall do not echo it. Played from this server only.
function onCallAudio(clip) {
  if (mode !== "floor" || clip.floor !== state.snapshot?.floor || typeof clip.audio !== "string") return;
  const key = `${clip.number}@${clip.window}`;
  clearTimeout(awaitingAudio.get(key));
  awaitingAudio.delete(key);
  const url = new URL(clip.audio, location.href);
  if (url.origin !== location.origin || !url.pathname.startsWith("/audio/")) return;
  // A busy floor's merged announcement says several calls in one WAV: each call's call_audio names it.
  if (spokenAudio.includes(url.pathname)) return;
  spokenAudio = [url.pathname, ...spokenAudio].slice(0, 20);
  sounds.speech(url.pathname);
}

function onReadyCases(ready) {
  if (!state.snapshot || ready.floor !== state.snapshot.floor) return;
  state.ready = ready.numbers;
  renderReady();
}

function onWindow(w) {
  if (applyWindow(w)) render();
}

function applyWindow(w) {
  const known = state.windows.get(w.number);
  if (mode === "window" && !known) return false;
  if (known && known.version > w.version) return false;  // an older update than the one shown
  state.windows.set(w.number, w);
  return true;
}

function onStats(stats) {
  state.stats = stats;
  if (mode === "floor" && state.snapshot) renderFloor();
}

function onRefused(err) {
  // The server refused the subscription (no such floor or window): say so instead of a blank screen.
  for (const id of ["floor-screen", "window-screen"]) $(id).hidden = true;
  $("bad-address").hidden = false;
  const place = t("noSuchPlace");
  $("bad-address").querySelector("h1").textContent = describe(err.error || {}, i18n.lang, { codes: { not_found: place, invalid: place } }).text;
}

function showLink(status) {
  const banner = $("link");
  const down = status !== "up";
  banner.hidden = !down;
  banner.textContent = status === "connecting" && !state.snapshot ? t("connecting") : t("reconnecting");
  document.body.classList.toggle("stale", down && !!state.snapshot);
  document.body.dataset.link = status;
}

function tick() {
  if (mode !== "floor") return;
  const now = clock(i18n.lang, state.timezone);  // the hall's time, not the screen PC's
  $("clock-time").textContent = now.time;
  $("clock-date").textContent = now.date;
}

// The departments' names (a window screen) and the hall's time zone (the floor screen's clock).
async function loadCatalog() {
  try {
    const catalog = await api("GET", "/catalog");
    state.departments = Object.fromEntries(catalog.departments.map((d) => [d.code, d.name]));
    state.timezone = catalog.hall.timezone;
    if (state.snapshot) render();
  } catch {
    setTimeout(loadCatalog, 5000);
  }
}

function start() {
  i18n.apply();
  if (!mode) { $("bad-address").hidden = false; return; }
  if (params.get("lang")) i18n.setLang(params.get("lang"));
  $(mode === "floor" ? "floor-screen" : "window-screen").hidden = false;
  document.body.classList.add(`mode-${mode}`);
  tick();
  setInterval(tick, 1000);
  loadCatalog();
  connectLive("/display", {
    auth: subscription,  // subscribing in the connect auth makes every reconnect resubscribe
    on: {
      snapshot: onSnapshot, ticket_called: onCalled, call_audio: onCallAudio, ready_cases: onReadyCases,
      window_updated: onWindow, stats: onStats, error: onRefused,
    },
    onStatus: (status) => { if (status !== "up") showLink(status); },
  });
  setInterval(turnReadyLine, READY_PAGE_MS);
  setInterval(turnWindowPage, WINDOW_PAGE_MS);
  document.addEventListener("click", () => sounds.unlock());
}

start();
