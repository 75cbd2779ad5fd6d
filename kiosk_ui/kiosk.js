// The self-service kiosk: zone → department → matter (or search) → 取号 → the ticket on screen.
import { api, newIdempotencyKey } from "/ui/common/api.js";
import { describe, showMessage } from "/ui/common/errors.js";
import { createI18n, clock, floorLabel, ZONE_NAMES } from "/ui/common/i18n.js";
import { pairWithToken } from "/ui/common/pairing.js";
import { PHRASES } from "/ui/kiosk/phrases.js";

const IDLE_MS = 30000;         // back to the home screen after 30 s without a touch
const HEALTH_EVERY_MS = 3000;  // how often the kiosk checks that the server answers
const CATALOG_EVERY_MS = 60000;
const PER_PAGE = { normal: 8, elder: 4 };
const TOKEN_STORE = "hallq.kiosk.token";
const ELDER_STORE = "hallq.kiosk.elder";

const i18n = createI18n(PHRASES);
const t = i18n.t;
const $ = (id) => document.getElementById(id);
// Where this kiosk stands, for the direction on the ticket: /kiosk?floor=2 (default: floor 1).
const kioskFloor = Number(new URLSearchParams(location.search).get("floor") || 1);

const state = {
  token: localStorage.getItem(TOKEN_STORE),
  catalog: null,
  online: true,
  elder: localStorage.getItem(ELDER_STORE) === "1",
  green: false,          // this visit goes through the green channel
  list: null,            // {kind: "departments"|"matters", floor, department, items, page}
  matter: null,
  takeKey: null,         // one Idempotency-Key per confirm screen: one tap, one ticket
  taking: false,
  refusalShown: false,   // the confirm screen shows why it cannot issue now
  ticket: null,
  screen: null,
  caseNumber: "",        // the pickup screen's digits
  pickupKey: null,       // one Idempotency-Key per typed number: a double tap, one pickup ticket
};
const CASE_DIGITS = 12;

// ------------------------------------------------------------------ screens
function show(name) {
  state.screen = name;
  for (const el of document.querySelectorAll(".screen")) el.hidden = el.id !== `screen-${name}`;
  $("green-badge").hidden = !state.green;
  window.scrollTo(0, 0);
}

function goHome() {
  state.green = false;
  state.matter = null;
  state.list = null;
  if (!state.token) return show("pair");
  renderHome();
  show("home");
}

function renderHome() {
  const zones = $("zones");
  zones.replaceChildren();
  if (!state.catalog) return;
  for (const floor of state.catalog.floors) {
    const button = document.createElement("button");
    button.className = `zone zone-${floor.zone}`;
    const name = zoneName(floor.number);
    button.setAttribute("aria-label", `${floorLabel(i18n.lang, floor.number)} ${name}`);
    button.innerHTML = `<span class="zone-floor"></span><span class="zone-name"></span><span class="zone-hint"></span>`;
    button.querySelector(".zone-floor").textContent = floorLabel(i18n.lang, floor.number);
    button.querySelector(".zone-name").textContent = name;
    button.querySelector(".zone-hint").textContent = departmentsOn(floor.number).map((d) => d.name).slice(0, 6).join("、") + "…";
    button.addEventListener("click", () => openDepartments(floor.number));
    zones.append(button);
  }
}

// The zone's name: in Chinese the hall's own (config, e.g. "一楼 服务群众个人区" → "服务群众个人区").
function zoneName(floorNumber) {
  const floor = state.catalog.floors.find((f) => f.number === floorNumber);
  if (!floor) return "";
  return i18n.lang === "zh" && floor.name ? floor.name.split(" ").pop() : ZONE_NAMES[i18n.lang][floor.zone];
}

function departmentsOn(floor) {
  const codes = new Set(state.catalog.matters.filter((m) => m.floor === floor).map((m) => m.department));
  return state.catalog.departments.filter((d) => codes.has(d.code));
}

function departmentName(code) {
  const dept = state.catalog.departments.find((d) => d.code === code);
  return dept ? dept.name : code;
}

function openDepartments(floor) {
  const items = departmentsOn(floor).map((d) => ({ label: d.name, action: () => openMatters(floor, d.code) }));
  state.list = { kind: "departments", floor, items, page: 0 };
  renderList();
  show("list");
}

function openMatters(floor, department) {
  const items = state.catalog.matters
    .filter((m) => m.floor === floor && m.department === department)
    .map((m) => ({ label: m.name, action: () => openConfirm(m) }));
  state.list = { kind: "matters", floor, department, items, page: 0 };
  renderList();
  show("list");
}

function renderList() {
  const list = state.list;
  const per = PER_PAGE[state.elder ? "elder" : "normal"];
  const pages = Math.max(1, Math.ceil(list.items.length / per));
  list.page = Math.min(list.page, pages - 1);
  const where = `${floorLabel(i18n.lang, list.floor)} ${zoneName(list.floor)}`;
  $("list-crumbs").textContent = list.kind === "matters" ? `${where} › ${departmentName(list.department)}` : where;
  $("list-title").textContent = t(list.kind === "matters" ? "chooseMatter" : "chooseDepartment");
  fillChoices($("list"), list.items.slice(list.page * per, (list.page + 1) * per));
  $("page-of").textContent = pages > 1 ? t("pageOf", { page: list.page + 1, pages }) : "";
  $("page-prev").hidden = $("page-next").hidden = pages <= 1;
  $("page-prev").disabled = list.page === 0;
  $("page-next").disabled = list.page >= pages - 1;
}

function fillChoices(container, items) {
  container.replaceChildren();
  for (const item of items) {
    const button = document.createElement("button");
    button.className = "choice";
    button.textContent = item.label;  // the accessible name is the matter's (or department's) name
    button.addEventListener("click", item.action);
    container.append(button);
  }
}

function renderSearch() {
  const query = $("search-input").value.trim();
  const found = query ? state.catalog.matters.filter((m) => m.name.includes(query)) : [];
  const per = PER_PAGE[state.elder ? "elder" : "normal"];
  fillChoices($("search-results"), found.slice(0, per * 2).map((m) => ({ label: m.name, action: () => openConfirm(m) })));
  $("search-none").hidden = !query || found.length > 0;
}

async function openConfirm(matter) {
  state.matter = matter;
  state.takeKey = newIdempotencyKey();
  const zone = zoneName(matter.floor);
  $("confirm-crumbs").textContent = `${floorLabel(i18n.lang, matter.floor)} ${zone} › ${departmentName(matter.department)}`;
  $("confirm-matter").textContent = matter.name;
  $("confirm-where").textContent = `${floorLabel(i18n.lang, matter.floor)} ${zone} · ${queueName(matter.queue)}`;
  $("confirm-promised").textContent = matter.promised_days === 0 ? t("onTheSpot") : t("days", { n: matter.promised_days });
  const materials = $("confirm-materials");
  materials.replaceChildren(...matter.materials.map((m) => Object.assign(document.createElement("li"), { textContent: m })));
  $("confirm-green").hidden = !state.green;
  $("confirm-waiting").textContent = "…";
  showMessage($("confirm-message"), null);
  state.refusalShown = false;
  show("confirm");
  updateTakeButton();
  try {
    const stats = await api("GET", `/stats?floor=${matter.floor}`);
    const row = stats.find((q) => q.code === matter.queue);
    if (row && state.matter === matter) {
      $("confirm-waiting").textContent = t("waitingLine", { n: row.waiting, eta: row.eta_minutes ?? "—" });
    }
  } catch (err) {
    if (state.matter === matter) $("confirm-waiting").textContent = "—";
  }
}

function queueName(code) {
  const queue = state.catalog.queues.find((q) => q.code === code);
  return queue ? queue.name : code;
}

function issuingRefusal() {
  if (!state.online) return { text: t("offlineReason") };
  if (state.catalog && state.catalog.hall.issuing_open === false) return { text: closedSentence() };
  return null;
}

function closedSentence() {
  const hours = state.catalog && state.catalog.hall.issuing_hours;
  return hours ? t("closedHours", { from: hours[0], to: hours[1] }) : t("closed");
}

function updateTakeButton() {
  const refusal = issuingRefusal();
  $("take").disabled = state.taking || refusal !== null;
  $("take-pickup").disabled = state.taking || refusal !== null;
  if (state.screen !== "confirm") return;
  if (refusal) {
    showMessage($("confirm-message"), refusal);
    state.refusalShown = true;
  } else if (state.refusalShown) {  // the server is back (or the hall opened): the sentence goes
    showMessage($("confirm-message"), null);
    state.refusalShown = false;
  }
}

async function takeTicket() {
  if (!state.matter) return;
  await issue({ matter: state.matter.id, priority: state.green ? "green" : "normal" }, state.takeKey,
    $("confirm-message"), updateTakeButton, () => null,
    { codes: { not_found: t("noMatter"), invalid: t("noMatter"), conflict: t("retry") } });
}

// One ticket, of either kind (a matter, or a case's pickup), with one Idempotency-Key per form: shown
// at once when issued; a refusal becomes the sentence for its reason or code under the form
// (`sentences` gives the kind's own; the closed hall, the network and pairing are alike for both).
async function issue(body, idempotencyKey, message, rerender, precheck, sentences) {
  if (state.taking) return;
  const refusal = issuingRefusal() || precheck();
  if (refusal) { showMessage(message, refusal); return; }
  state.taking = true;
  rerender();
  showMessage(message, { text: t("issuing") }, "info");
  try {
    state.ticket = (await api("POST", "/tickets", { token: state.token, idempotencyKey, body })).ticket;
    renderTicket();
    show("ticket");
  } catch (err) {
    if (err.code === "network") setOnline(false);
    if (err.code === "unauthorized") forgetToken();
    showMessage(message, describe(err, i18n.lang, {
      reasons: {
        // The hours the server refused by; the catalogue's (or none) if it did not say them.
        outside_issuing_hours: (d) => (d.from && d.to ? t("closedHours", { from: d.from, to: d.to }) : closedSentence()),
        ...sentences.reasons,
      },
      codes: {
        network: t("offlineReason"), unauthorized: t("unpaired"), forbidden: t("unpaired"), unavailable: t("unavailable"),
        ...sentences.codes,
      },
    }));
  } finally {
    state.taking = false;
    rerender();
  }
}

// ------------------------------------------------------------------ pickup (取件) by case number
function openPickup() {
  state.caseNumber = "";
  state.pickupKey = newIdempotencyKey();
  showMessage($("pickup-message"), null);
  renderPickup();
  show("pickup");
}

function renderPickup() {
  $("case-number").value = state.caseNumber;
  $("case-digits").textContent = t("caseDigits", { n: state.caseNumber.length });
  $("take-pickup").disabled = state.taking || issuingRefusal() !== null;
}

function typeDigit(change) {
  const next = change(state.caseNumber).slice(0, CASE_DIGITS);
  if (next === state.caseNumber) return;
  state.caseNumber = next;
  state.pickupKey = newIdempotencyKey();  // another number is another request
  showMessage($("pickup-message"), null);
  renderPickup();
}

async function takePickupTicket() {
  await issue({ case: state.caseNumber }, state.pickupKey, $("pickup-message"), renderPickup,
    () => (state.caseNumber.length !== CASE_DIGITS ? { text: t("caseIncomplete") } : null),
    {
      reasons: {
        pickup_ticket_exists: (d) => (d.number ? t("caseHasTicket", { number: d.number }) : t("caseHasTicketAny")),
        case_not_ready: t("caseNotReady"),
        no_pickup_queue: t("noPickupQueue"),
      },
      codes: { not_found: t("noCase"), invalid: t("caseIncomplete"), conflict: t("retry") },
    });
}

function renderTicket() {
  const ticket = state.ticket;
  const matter = state.catalog.matters.find((m) => m.id === ticket.matter);
  const zone = zoneName(ticket.floor);
  $("ticket-number").textContent = ticket.number;
  $("ticket-matter").textContent = matter ? matter.name : ticket.case ? t("pickupOf", { case: ticket.case }) : "";
  const arrow = ticket.floor > kioskFloor ? "↑" : ticket.floor < kioskFloor ? "↓" : "→";
  const way = ticket.floor === kioskFloor ? t("sameFloor") : t(ticket.floor > kioskFloor ? "goUp" : "goDown", { floor: ticket.floor });
  $("ticket-direction").textContent = `${arrow} ${floorLabel(i18n.lang, ticket.floor)} ${zone} · ${way}`;
  $("ticket-ahead").textContent = t("people", { n: ticket.ahead ?? 0 });
  $("ticket-eta").textContent = t("minutes", { n: ticket.eta_minutes ?? "—" });
  $("ticket-qr").src = `/t/${encodeURIComponent(ticket.id)}/qr.svg`;
  $("ticket-qr").alt = t("scanToTrack");
}

// ------------------------------------------------------------------ pairing
function forgetToken() {
  state.token = null;
  localStorage.removeItem(TOKEN_STORE);
}

function pair(event) {
  event.preventDefault();
  // A kiosk's token, or staff's (the guide desk issues for citizens).
  return pairWithToken({
    storeKey: TOKEN_STORE, lang: i18n.lang, say: t,
    refusal: (me) => (me.kind === "staff" || (me.kind === "device" && me.role === "kiosk") ? null : t("notKioskToken")),
    paired: (token) => { state.token = token; goHome(); },
  });
}

// ------------------------------------------------------------------ liveness
function setOnline(online) {
  state.online = online;
  renderOffline();
}

function renderOffline() {
  const refusal = issuingRefusal();
  $("offline").hidden = refusal === null;
  if (refusal) $("offline-reason").textContent = refusal.text;
  $("offline").querySelector(".offline-title").textContent = t("offlineTitle");
  updateTakeButton();
}

async function checkHealth() {
  try {
    await api("GET", "/health", { timeoutMs: 2500 });
    if (!state.online || !state.catalog) await loadCatalog();
    setOnline(true);
  } catch (err) {
    setOnline(false);
  }
}

async function loadCatalog() {
  state.catalog = await api("GET", "/catalog");
  $("hall-name").textContent = state.catalog.hall.name;
  if (state.screen === "home" || state.screen === null) goHome();
  renderOffline();
}

// ------------------------------------------------------------------ idle, clock, modes
let idleTimer = null;
function touched() {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => { if (state.screen !== "home" && state.screen !== "pair") goHome(); }, IDLE_MS);
}

function setElder(on) {
  state.elder = on;
  localStorage.setItem(ELDER_STORE, on ? "1" : "0");
  document.body.classList.toggle("elder", on);
  $("elder-toggle").setAttribute("aria-pressed", String(on));
  if (state.screen === "list") renderList();
  if (state.screen === "search") renderSearch();
}

function tick() {
  const now = clock(i18n.lang);
  $("clock-time").textContent = now.time.slice(0, 5);
  $("clock-date").textContent = now.date;
}

function rerender() {
  if (!state.catalog) return;
  if (state.screen === "home") renderHome();
  if (state.screen === "list") renderList();
  if (state.screen === "confirm" && state.matter) openConfirm(state.matter);
  if (state.screen === "ticket" && state.ticket) renderTicket();
  if (state.screen === "pickup") renderPickup();
  renderOffline();
  tick();
}

// ------------------------------------------------------------------ wiring
function wire() {
  i18n.apply();
  i18n.bindSwitch($("lang"));
  i18n.onChange(rerender);
  for (const el of document.querySelectorAll("[data-home]")) el.addEventListener("click", goHome);
  $("pair-form").addEventListener("submit", pair);
  $("to-search").addEventListener("click", () => { $("search-input").value = ""; renderSearch(); show("search"); $("search-input").focus(); });
  $("search-input").addEventListener("input", renderSearch);
  $("to-green").addEventListener("click", () => show("green"));
  $("green-go").addEventListener("click", () => { state.green = true; setElder(true); renderHome(); show("home"); });
  $("page-prev").addEventListener("click", () => { state.list.page -= 1; renderList(); });
  $("page-next").addEventListener("click", () => { state.list.page += 1; renderList(); });
  $("list-back").addEventListener("click", () => {
    if (state.list && state.list.kind === "matters") openDepartments(state.list.floor); else { renderHome(); show("home"); }
  });
  $("confirm-back").addEventListener("click", () => {
    const m = state.matter;
    if (state.list && state.list.kind === "matters") { renderList(); show("list"); } else if (m) openMatters(m.floor, m.department);
  });
  $("take").addEventListener("click", takeTicket);
  $("to-pickup").addEventListener("click", openPickup);
  for (const key of document.querySelectorAll("[data-digit]")) key.addEventListener("click", () => typeDigit((n) => n + key.dataset.digit));
  $("pad-delete").addEventListener("click", () => typeDigit((n) => n.slice(0, -1)));
  $("pad-clear").addEventListener("click", () => typeDigit(() => ""));
  $("take-pickup").addEventListener("click", takePickupTicket);
  $("elder-toggle").addEventListener("click", () => setElder(!state.elder));
  for (const type of ["pointerdown", "keydown", "input"]) document.addEventListener(type, touched, { capture: true });
  setElder(state.elder);
  tick();
  setInterval(tick, 1000);
  setInterval(checkHealth, HEALTH_EVERY_MS);
  setInterval(() => { if (state.online) loadCatalog().catch(() => setOnline(false)); }, CATALOG_EVERY_MS);
  if (!state.token) show("pair"); else show("home");
  checkHealth();
}

wire();
