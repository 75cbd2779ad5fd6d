// The self-service kiosk: zone → department → matter (or search) → 取号 → the ticket on screen;
// 预约签到 by code or by ID card, 取件, 过号顺延. One citizen's visit (their ID card, phone, green
// channel) ends with their ticket, 回到首页 or 30 s without a touch: nothing is kept for the next.
import { api, newIdempotencyKey } from "/ui/common/api.js";
import { describe, showMessage } from "/ui/common/errors.js";
import { createI18n, clock, floorLabel, waitText, ZONE_NAMES } from "/ui/common/i18n.js";
import { pairWithToken } from "/ui/common/pairing.js";
import { buildPad } from "/ui/kiosk/numpad.js";
import { PHRASES } from "/ui/kiosk/phrases.js";
import { followReader } from "/ui/kiosk/reader.js";
import { visitSentences } from "/ui/kiosk/refusals.js";

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
  caseNumber: "",        // the pickup screen's digits: the case number, then
  pickupCode: "",        // the receipt's pickup code (取件码)
  pickupKey: null,       // one Idempotency-Key per typed number: a double tap, one pickup ticket
  reader: false,         // an ID card reader is attached to this kiosk (told over /kiosk)
  socket: null,
  idCard: null,          // this visit's ID card {number, name} (sent with its ticket; never stored)
  phone: "",             // this visit's phone for SMS notices (optional)
  phoneDraft: "",
  appointmentCode: "",
  appointmentKey: null,
  requeueNumber: "",
  requeueKey: null,
  ticketVia: null,       // "requeue" when the ticket on screen was put back in its queue
  stats: null,           // {at, rows: {queue code: row of GET /stats}}
};
const CASE_DIGITS = 12;
const CODE_DIGITS = 6;  // a booking's code, and a case's pickup code
const PHONE_DIGITS = 11;

// ------------------------------------------------------------------ screens
function show(name) {
  state.screen = name;
  for (const el of document.querySelectorAll(".screen")) el.hidden = el.id !== `screen-${name}`;
  $("green-badge").hidden = !state.green;
  window.scrollTo(0, 0);
}

function goHome() {
  endVisit();
  if (!state.token) return show("pair");
  renderHome();
  show("home");
}

// The next citizen starts afresh: no card, no phone, no green channel, normal text size.
function endVisit() {
  state.green = false;
  state.matter = null;
  state.list = null;
  state.idCard = null;
  state.phone = "";
  state.ticketVia = null;
  if (state.elder) setElder(false);
}

function renderHome() {
  const zones = $("zones");
  zones.replaceChildren();
  $("reader-hint").hidden = !state.reader || Boolean(state.idCard);
  $("home-card").hidden = !state.idCard;
  if (state.idCard) $("home-card").textContent = t("cardOnHome", { name: maskName(state.idCard.name) });
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
    .map(matterItem);
  state.list = { kind: "matters", floor, department, items, page: 0 };
  renderList();
  show("list");
  refreshStats().then(() => { if (state.screen === "list") renderList(); });
}

function matterItem(m) {
  return { label: m.name, action: () => openConfirm(m), full: () => queueFull(m.queue) };
}

// ------------------------------------------------------------------ 号源: a queue's daily quota
// Read before every list of matters and every confirm screen: a queue fills up within minutes.
async function refreshStats() {
  try {
    const rows = await api("GET", "/stats");
    state.stats = { at: Date.now(), rows: Object.fromEntries(rows.map((r) => [r.code, r])) };
  } catch (err) {
    /* the figures stay as they were; the server's refusal still covers a full queue */
  }
  return state.stats;
}

function queueFull(code) {
  const row = state.stats && state.stats.rows[code];
  return Boolean(row && row.quota_reached);
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
    if (item.full && item.full()) {   // 限号: the queue issued its tickets for today
      button.disabled = true;
      button.classList.add("full");
      button.setAttribute("aria-label", item.label);
      const note = document.createElement("span");
      note.className = "full-badge";
      note.textContent = t("quotaFull");
      button.append(note);
    }
    button.addEventListener("click", item.action);
    container.append(button);
  }
}

function renderSearch() {
  const query = $("search-input").value.trim();
  const found = query ? state.catalog.matters.filter((m) => m.name.includes(query)) : [];
  const per = PER_PAGE[state.elder ? "elder" : "normal"];
  fillChoices($("search-results"), found.slice(0, per * 2).map(matterItem));
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
  renderConfirmExtras();
  show("confirm");
  updateTakeButton();
  const stats = await refreshStats();
  if (state.matter !== matter) return;
  const row = stats && stats.rows[matter.queue];
  $("confirm-waiting").textContent = row ? t("waitingLine", { n: row.waiting, eta: waitText(i18n.lang, row.eta_minutes, row.eta_range) }) : "—";
  renderConfirmExtras();
  updateTakeButton();
}

// The card and the phone this visit's ticket will carry, and whether the queue is full today.
function renderConfirmExtras() {
  const card = state.idCard;
  $("confirm-card").hidden = !card;
  $("confirm-card-hint").hidden = Boolean(card) || !state.reader;
  if (card) $("confirm-card-text").textContent = t("cardRead", { name: maskName(card.name), number: maskNumber(card.number) });
  $("confirm-phone").textContent = state.phone ? maskPhone(state.phone) : t("noPhone");
  $("to-phone").textContent = t(state.phone ? "changePhone" : "addPhone");
  $("confirm-full").hidden = !(state.matter && queueFull(state.matter.queue));
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
  const full = Boolean(state.matter && queueFull(state.matter.queue));
  $("take").disabled = state.taking || refusal !== null || full;
  $("take-pickup").disabled = state.taking || refusal !== null;
  $("check-in").disabled = state.taking || refusal !== null;
  $("take-requeue").disabled = state.taking || refusal !== null;
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
  const body = { matter: state.matter.id, priority: state.green ? "green" : "normal" };
  if (state.phone) body.phone = state.phone;
  if (state.idCard) body.id_card = { number: state.idCard.number, name: state.idCard.name };
  const issued = await issue(body, state.takeKey, $("confirm-message"), updateTakeButton, () => null,
    { codes: { not_found: t("noMatter"), invalid: t("noMatter"), conflict: t("retry") } });
  if (!issued && state.matter) {  // a queue that filled up meanwhile greys out at once
    await refreshStats();
    renderConfirmExtras();
    updateTakeButton();
  }
}

// One ticket, of either kind (a matter, or a case's pickup), with one Idempotency-Key per form: shown
// at once when issued; a refusal becomes the sentence for its reason or code under the form
// (`sentences` gives the kind's own; the closed hall, the network and pairing are alike for both).
async function issue(body, idempotencyKey, message, rerender, precheck, sentences,
  { path = "/tickets", working = "issuing", via = null } = {}) {
  if (state.taking) return false;
  const refusal = issuingRefusal() || precheck();
  if (refusal) { showMessage(message, refusal); return false; }
  state.taking = true;
  rerender();
  showMessage(message, { text: t(working) }, "info");
  try {
    state.ticket = (await api("POST", path, { token: state.token, idempotencyKey, body })).ticket;
    state.idCard = null;      // the card and the phone went with the ticket: nothing of them stays here
    state.phone = "";
    state.ticketVia = via;
    renderTicket();
    show("ticket");
    return true;
  } catch (err) {
    if (err.code === "network") setOnline(false);
    if (err.code === "unauthorized") forgetToken();
    const visit = visitSentences(t, state.catalog ? state.catalog.hall : {});
    showMessage(message, describe(err, i18n.lang, {
      reasons: {
        // The hours the server refused by; the catalogue's (or none) if it did not say them.
        outside_issuing_hours: (d) => (d.from && d.to ? t("closedHours", { from: d.from, to: d.to }) : closedSentence()),
        ...visit.reasons,
        ...sentences.reasons,
      },
      codes: {
        network: t("offlineReason"), unauthorized: t("unpaired"), forbidden: t("unpaired"), unavailable: t("unavailable"),
        ...sentences.codes,
      },
    }));
    return false;
  } finally {
    state.taking = false;
    rerender();
  }
}

// ------------------------------------------------------------------ pickup (取件) by case number and code
// One pad types both: the case number's 12 digits, then the pickup code's 6 (deleting past the code
// goes back into the number). An ID card read this visit stands in for the code (the applicant's own).
function openPickup() {
  state.caseNumber = "";
  state.pickupCode = "";
  state.pickupKey = newIdempotencyKey();
  showMessage($("pickup-message"), null);
  renderPickup();
  show("pickup");
}

function renderPickup() {
  $("case-number").value = state.caseNumber;
  $("case-digits").textContent = t("caseDigits", { n: state.caseNumber.length });
  $("pickup-code").value = state.pickupCode;
  $("code-digits").textContent = t("codeDigits", { n: state.pickupCode.length });
  $("take-pickup").disabled = state.taking || issuingRefusal() !== null;
}

function typeCaseDigit(change) {
  const typed = state.caseNumber + state.pickupCode;
  const next = change(typed).slice(0, CASE_DIGITS + CODE_DIGITS);
  if (next === typed) return;
  state.caseNumber = next.slice(0, CASE_DIGITS);
  state.pickupCode = next.slice(CASE_DIGITS);
  state.pickupKey = newIdempotencyKey();  // another number is another request
  showMessage($("pickup-message"), null);
  renderPickup();
}

async function takePickupTicket() {
  const body = { case: state.caseNumber };
  const byCard = state.idCard && !state.pickupCode;
  if (byCard) body.id_card = { number: state.idCard.number, name: state.idCard.name };
  else body.pickup_code = state.pickupCode;
  await issue(body, state.pickupKey, $("pickup-message"), renderPickup,
    () => (state.caseNumber.length !== CASE_DIGITS ? { text: t("caseIncomplete") }
      : !byCard && state.pickupCode.length !== CODE_DIGITS ? { text: t("codeIncomplete") } : null),
    {
      reasons: {
        pickup_ticket_exists: (d) => (d.number ? t("caseHasTicket", { number: d.number }) : t("caseHasTicketAny")),
        // One answer for an unknown case, one not ready, a wrong code: the kiosk cannot tell them apart.
        pickup_not_available: t("pickupNotAvailable"),
        no_pickup_queue: t("noPickupQueue"),
      },
      codes: { not_found: t("pickupNotAvailable"), invalid: t("caseIncomplete"), conflict: t("retry") },
    });
}

// ------------------------------------------------------------------ 预约签到 by the booking's code
function openAppointment() {
  state.appointmentCode = "";
  state.appointmentKey = newIdempotencyKey();
  showMessage($("appointment-message"), null);
  $("card-walk-in").hidden = true;
  renderAppointment();
  show("appointment");
}

function renderAppointment() {
  $("appointment-code").value = state.appointmentCode;
  $("appointment-digits").textContent = t("appointmentDigits", { n: state.appointmentCode.length });
  $("appointment-reader").hidden = !state.reader;
  updateTakeButton();
}

function typeCodeDigit(change) {
  const next = change(state.appointmentCode).replace(/\D/g, "").slice(0, CODE_DIGITS);
  if (next === state.appointmentCode) return;
  state.appointmentCode = next;
  state.appointmentKey = newIdempotencyKey();
  showMessage($("appointment-message"), null);
  renderAppointment();
}

async function checkInByCode() {
  await issue({ appointment: state.appointmentCode }, state.appointmentKey, $("appointment-message"), renderAppointment,
    () => (state.appointmentCode.length !== CODE_DIGITS ? { text: t("appointmentIncomplete") } : null),
    { codes: { not_found: t("noSuchAppointment"), invalid: t("appointmentIncomplete"), conflict: t("retry") } },
    { working: "checkingIn" });
}

// ------------------------------------------------------------------ 刷身份证: a card on this kiosk's reader
// On the confirm screen the card goes with the walk-in ticket; anywhere else it checks in the
// holder's booking for today (and, when there is none, stays for the visit's ticket).
function cardPlaced(card) {
  if (!state.token || state.screen === "pair") return;
  touched();
  const idCard = { number: String(card.number), name: String(card.name) };
  if (state.screen === "confirm" && state.matter) {
    state.idCard = idCard;
    state.takeKey = newIdempotencyKey();  // another body is another request
    renderConfirmExtras();
    return;
  }
  if (state.screen === "ticket" || state.screen === "phone") goHome();  // a new card: a new citizen
  state.idCard = idCard;
  openAppointment();
  checkInByCard();
}

async function checkInByCard() {
  const card = state.idCard;
  const checkedIn = await issue({ id_card: { number: card.number, name: card.name } }, newIdempotencyKey(),
    $("appointment-message"), renderAppointment, () => null,
    { codes: { not_found: t("noAppointmentForId"), conflict: t("retry") } }, { working: "cardLookingUp" });
  if (!checkedIn) $("card-walk-in").hidden = false;  // the card stays for a walk-in ticket of this visit
}

// ------------------------------------------------------------------ 短信通知: the optional phone
function openPhone() {
  state.phoneDraft = state.phone;
  showMessage($("phone-message"), null);
  renderPhone();
  show("phone");
}

function renderPhone() {
  $("phone-number").value = state.phoneDraft;
}

function typePhoneDigit(change) {
  state.phoneDraft = change(state.phoneDraft).replace(/\D/g, "").slice(0, PHONE_DIGITS);
  showMessage($("phone-message"), null);
  renderPhone();
}

function phoneChosen(phone) {
  if (phone && !/^1\d{10}$/.test(phone)) { showMessage($("phone-message"), { text: t("phoneIncomplete") }); return; }
  if (phone !== state.phone) state.takeKey = newIdempotencyKey();
  state.phone = phone;
  renderConfirmExtras();
  show("confirm");
  updateTakeButton();
}

// ------------------------------------------------------------------ 过号顺延: a missed ticket queues again
function openRequeue() {
  state.requeueNumber = "";
  state.requeueKey = newIdempotencyKey();
  showMessage($("requeue-message"), null);
  const letters = $("requeue-letters");
  letters.replaceChildren();
  const prefixes = [...new Set((state.catalog ? state.catalog.queues : []).map((q) => q.prefix).filter(Boolean))].sort();
  for (const prefix of prefixes) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = prefix;
    button.addEventListener("click", () => typeRequeue(() => prefix));  // a letter starts the number again
    letters.append(button);
  }
  renderRequeue();
  show("requeue");
}

function renderRequeue() {
  const minutes = state.catalog && state.catalog.hall.requeue_minutes;
  $("requeue-explain").textContent = minutes ? t("requeueExplain", { n: minutes }) : t("requeueExplainAny");
  $("requeue-number").value = state.requeueNumber;
  updateTakeButton();
}

function typeRequeue(change) {
  const typed = change(state.requeueNumber);
  const [, letters = "", digits = ""] = /^([A-Z]*)(\d*)$/.exec(typed) || [];
  const next = letters + digits.slice(0, 4);
  if (next === state.requeueNumber || !/^([A-Z]*)(\d*)$/.test(typed)) return;
  state.requeueNumber = next;
  state.requeueKey = newIdempotencyKey();
  showMessage($("requeue-message"), null);
  renderRequeue();
}

async function requeue() {
  await issue({ number: state.requeueNumber }, state.requeueKey, $("requeue-message"), renderRequeue,
    () => (/^[A-Z]{1,2}\d{3,4}$/.test(state.requeueNumber) ? null : { text: t("requeueIncomplete") }),
    { codes: { not_found: t("noSuchTicket"), invalid: t("requeueIncomplete"), conflict: t("retry") } },
    { path: "/tickets/requeue", working: "requeueing", via: "requeue" });
}

// ------------------------------------------------------------------ masked as on every public screen
function maskName(name) {
  if (name.length <= 1) return "*";
  return name.length === 2 ? `${name[0]}*` : `${name[0]}${"*".repeat(name.length - 2)}${name[name.length - 1]}`;
}

function maskNumber(number) {
  return number.length > 7 ? `${number.slice(0, 3)}${"*".repeat(number.length - 7)}${number.slice(-4)}` : "*".repeat(number.length);
}

function maskPhone(phone) {
  return phone.length >= 11 ? `${phone.slice(0, 3)}${"*".repeat(phone.length - 7)}${phone.slice(-4)}` : phone;
}

function renderTicket() {
  const ticket = state.ticket;
  const matter = state.catalog.matters.find((m) => m.id === ticket.matter);
  const zone = zoneName(ticket.floor);
  $("ticket-number").textContent = ticket.number;
  const kind = state.ticketVia === "requeue" ? t("kindRequeued") : ticket.kind === "appointment" ? t("kindAppointment") : "";
  $("ticket-kind").hidden = !kind;
  $("ticket-kind").textContent = kind;
  $("ticket-kind").dataset.kind = state.ticketVia === "requeue" ? "requeued" : ticket.kind || "walk_in";
  const holder = ticket.holder && ticket.holder.name;
  $("ticket-holder").hidden = !holder;
  $("ticket-holder").textContent = holder ? t("holder", { name: holder }) : "";
  $("ticket-matter").textContent = matter ? matter.name : ticket.case ? t("pickupOf", { case: ticket.case }) : "";
  const arrow = ticket.floor > kioskFloor ? "↑" : ticket.floor < kioskFloor ? "↓" : "→";
  const way = ticket.floor === kioskFloor ? t("sameFloor") : t(ticket.floor > kioskFloor ? "goUp" : "goDown", { floor: ticket.floor });
  $("ticket-direction").textContent = `${arrow} ${floorLabel(i18n.lang, ticket.floor)} ${zone} · ${way}`;
  $("ticket-ahead").textContent = t("people", { n: ticket.ahead ?? 0 });
  $("ticket-eta").textContent = waitText(i18n.lang, ticket.eta_minutes, ticket.eta_range);
  $("ticket-qr").src = `/t/${encodeURIComponent(ticket.id)}/qr.svg`;
  $("ticket-qr").alt = t("scanToTrack");
}

// ------------------------------------------------------------------ pairing
function forgetToken() {
  state.token = null;
  localStorage.removeItem(TOKEN_STORE);
  if (state.socket) state.socket.disconnect();
  state.socket = null;
  state.reader = false;
}

// The kiosk's socket: whether it has a reader, and the cards placed on it.
function listen() {
  if (state.socket || !state.token) return;
  state.socket = followReader(state.token, {
    onReader: (reader) => {
      state.reader = reader;
      if (state.screen === "home") renderHome();
      if (state.screen === "appointment") renderAppointment();
      if (state.screen === "confirm") renderConfirmExtras();
    },
    onCard: cardPlaced,
  });
}

function pair(event) {
  event.preventDefault();
  // A kiosk's token, or staff's (the guide desk issues for citizens).
  return pairWithToken({
    storeKey: TOKEN_STORE, lang: i18n.lang, say: t,
    refusal: (me) => (me.kind === "staff" || (me.kind === "device" && me.role === "kiosk") ? null : t("notKioskToken")),
    paired: (token) => { state.token = token; listen(); goHome(); },
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
  if (state.screen === null) goHome();
  else if (state.screen === "home") renderHome();  // a refresh is not a new visit: the card, elder mode stay
  renderOffline();
}

// ------------------------------------------------------------------ idle, clock, modes
let idleTimer = null;
function touched() {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    // Also on the home screen when the visit left something there (a card read, elder mode on).
    const leftOver = state.idCard || state.phone || state.green || state.elder;
    if (state.screen !== "pair" && (state.screen !== "home" || leftOver)) goHome();
  }, IDLE_MS);
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
  if (state.screen === "appointment") renderAppointment();
  if (state.screen === "requeue") renderRequeue();
  if (state.screen === "phone") renderPhone();
  renderOffline();
  tick();
}

// ------------------------------------------------------------------ wiring
function wire() {
  const pads = { case: typeCaseDigit, appointment: typeCodeDigit, phone: typePhoneDigit, requeue: typeRequeue };
  for (const pad of document.querySelectorAll(".numpad[data-pad]")) buildPad(pad, pads[pad.dataset.pad]);  // before i18n names the keys
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
  $("take-pickup").addEventListener("click", takePickupTicket);
  $("to-appointment").addEventListener("click", openAppointment);
  $("check-in").addEventListener("click", checkInByCode);
  $("card-walk-in").addEventListener("click", () => { renderHome(); show("home"); });  // keeps the card
  $("to-requeue").addEventListener("click", openRequeue);
  $("take-requeue").addEventListener("click", requeue);
  $("to-phone").addEventListener("click", openPhone);
  $("phone-ok").addEventListener("click", () => phoneChosen(state.phoneDraft));
  $("phone-none").addEventListener("click", () => phoneChosen(""));
  $("card-forget").addEventListener("click", () => { state.idCard = null; state.takeKey = newIdempotencyKey(); renderConfirmExtras(); });
  $("elder-toggle").addEventListener("click", () => setElder(!state.elder));
  for (const type of ["pointerdown", "keydown", "input"]) document.addEventListener(type, touched, { capture: true });
  setElder(state.elder);
  tick();
  setInterval(tick, 1000);
  setInterval(checkHealth, HEALTH_EVERY_MS);
  setInterval(() => { if (state.online) loadCatalog().catch(() => setOnline(false)); }, CATALOG_EVERY_MS);
  if (!state.token) show("pair"); else show("home");
  listen();
  checkHealth();
}

wire();
