// The self-service kiosk: zone → department → matter (or search) → 取号 → the ticket on screen;
// 预约签到 by code or by ID card, 取件, 过号顺延. One citizen's visit (their ID card, phone, green
// channel) ends with their ticket, 回到首页 or 30 s without a touch: nothing is kept for the next.
import { api, newIdempotencyKey } from "/ui/common/api.js";
import { describe, showMessage } from "/ui/common/errors.js";
import { clock, floorLabel, waitText } from "/ui/common/i18n.js";
import { pairWithToken } from "/ui/common/pairing.js";
import { departmentName, matterName, openDepartments, openMatters, queueFull, queueName, refreshStats, renderHome, renderList, renderSearch, typeSearch, zoneName } from "/ui/kiosk/browse.js";
import { cardPlaced, checkInByCode, openAppointment, openPhone, openPickup, openRequeue, phoneChosen, renderAppointment, renderPhone, renderPickup, renderRequeue, requeue, takePickupTicket, typeCaseDigit, typeCodeDigit, typePhoneDigit, typeRequeue } from "/ui/kiosk/forms.js";
import { $, CATALOG_EVERY_MS, ELDER_STORE, HEALTH_EVERY_MS, IDLE_MS, TOKEN_STORE, i18n, state, t } from "/ui/kiosk/kiosk-state.js";
import { maskName, maskNumber, maskPhone } from "/ui/kiosk/masks.js";
import { buildPad } from "/ui/kiosk/numpad.js";
import { buildKeyboard } from "/ui/kiosk/keyboard.js";
import { followReader } from "/ui/kiosk/reader.js";
import { visitSentences } from "/ui/kiosk/refusals.js";
import { renderTicket } from "/ui/kiosk/ticket-view.js";
import { followPrinter, renderPrinterWarning } from "/ui/kiosk/printer.js";

// ------------------------------------------------------------------ screens
export function show(name) {
  state.screen = name;
  for (const el of document.querySelectorAll(".screen")) el.hidden = el.id !== `screen-${name}`;
  $("green-badge").hidden = !state.green;
  window.scrollTo(0, 0);
}

export function goHome() {
  endVisit();
  if (!state.token) return show("pair");
  renderHome();
  show("home");
}

// The next citizen starts afresh: no card, no phone, no green channel, normal text size.
export function endVisit() {
  state.green = false;
  state.matter = null;
  state.list = null;
  state.idCard = null;
  state.phone = "";
  state.ticketVia = null;
  if (state.elder) setElder(false);
}

export async function openConfirm(matter) {
  state.matter = matter;
  state.takeKey = newIdempotencyKey();
  const zone = zoneName(matter.floor);
  $("confirm-crumbs").textContent = `${floorLabel(i18n.lang, matter.floor)} ${zone} › ${departmentName(matter.department)}`;
  $("confirm-matter").textContent = matterName(matter);
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
export function renderConfirmExtras() {
  const card = state.idCard;
  $("confirm-card").hidden = !card;
  $("confirm-card-hint").hidden = Boolean(card) || !state.reader;
  if (card) $("confirm-card-text").textContent = t("cardRead", { name: maskName(card.name), number: maskNumber(card.number) });
  $("confirm-phone").textContent = state.phone ? maskPhone(state.phone) : t("noPhone");
  $("to-phone").textContent = t(state.phone ? "changePhone" : "addPhone");
  $("confirm-full").hidden = !(state.matter && queueFull(state.matter.queue));
  renderPrinterWarning();
}

export function issuingRefusal() {
  if (!state.online) return { text: t("offlineReason") };
  if (state.catalog && state.catalog.hall.issuing_open === false) return { text: closedSentence() };
  return null;
}

export function closedSentence() {
  const hours = state.catalog && state.catalog.hall.issuing_hours;
  return hours ? t("closedHours", { from: hours[0], to: hours[1] }) : t("closed");
}

export function updateTakeButton() {
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

export async function takeTicket() {
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
export async function issue(body, idempotencyKey, message, rerender, precheck, sentences,
  { path = "/tickets", working = "issuing", via = null } = {}) {
  if (state.taking) return false;
  const refusal = issuingRefusal() || precheck();
  if (refusal) { showMessage(message, refusal); return false; }
  state.taking = true;
  rerender();
  showMessage(message, { text: t(working) }, "info");
  try {
    const answer = await api("POST", path, { token: state.token, idempotencyKey, body });
    state.ticket = answer.ticket;
    state.slip = answer.slip || null;  // a kiosk with a printer: whether this slip prints
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

// ------------------------------------------------------------------ pairing
export function forgetToken() {
  state.token = null;
  localStorage.removeItem(TOKEN_STORE);
  if (state.socket) state.socket.disconnect();
  state.socket = null;
  state.reader = false;
}

// The kiosk's socket: whether it has a reader, and the cards placed on it.
export function listen() {
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
  followPrinter(state.socket, () => {
    if (state.screen === "confirm") renderConfirmExtras();
    if (state.screen === "ticket" && state.ticket) renderTicket();
  });
}

export function pair(event) {
  event.preventDefault();
  // A kiosk's token, or staff's (the guide desk issues for citizens).
  return pairWithToken({
    storeKey: TOKEN_STORE, lang: i18n.lang, say: t,
    refusal: (me) => (me.kind === "staff" || (me.kind === "device" && me.role === "kiosk") ? null : t("notKioskToken")),
    paired: (token) => { state.token = token; listen(); goHome(); },
  });
}

// ------------------------------------------------------------------ liveness
export function setOnline(online) {
  state.online = online;
  renderOffline();
}

export function renderOffline() {
  const refusal = issuingRefusal();
  $("offline").hidden = refusal === null;
  if (refusal) $("offline-reason").textContent = refusal.text;
  $("offline").querySelector(".offline-title").textContent = t("offlineTitle");
  updateTakeButton();
}

export async function checkHealth() {
  try {
    await api("GET", "/health", { timeoutMs: 2500 });
    if (!state.online || !state.catalog) await loadCatalog();
    setOnline(true);
  } catch (err) {
    setOnline(false);
  }
}

export async function loadCatalog() {
  state.catalog = await api("GET", "/catalog");
  $("hall-name").textContent = state.catalog.hall.name;
  tick();  // the hall's time zone is known now
  if (state.screen === null) goHome();
  else if (state.screen === "home") renderHome();  // a refresh is not a new visit: the card, elder mode stay
  renderOffline();
}

// ------------------------------------------------------------------ idle, clock, modes
let idleTimer = null;
export function touched() {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    // Also on the home screen when the visit left something there (a card read, elder mode on).
    const leftOver = state.idCard || state.phone || state.green || state.elder;
    if (state.screen !== "pair" && (state.screen !== "home" || leftOver)) goHome();
  }, IDLE_MS);
}

export function setElder(on) {
  state.elder = on;  // never stored: the next citizen (or a reload) starts in the normal mode
  document.body.classList.toggle("elder", on);
  $("elder-toggle").setAttribute("aria-pressed", String(on));
  // Only a list still on screen: at the end of a visit (回到首页, idle) the list is already gone.
  if (state.screen === "list" && state.list) renderList();
  if (state.screen === "search") renderSearch();
}

export function tick() {
  const now = clock(i18n.lang, state.catalog && state.catalog.hall.timezone);  // the hall's time, not the PC's
  $("clock-time").textContent = now.time.slice(0, 5);
  $("clock-date").textContent = now.date;
}

export function rerender() {
  if (!state.catalog) return;
  if (state.screen === "home") renderHome();
  if (state.screen === "list") renderList();
  if (state.screen === "search") renderSearch();
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
export function wire() {
  const pads = { case: typeCaseDigit, appointment: typeCodeDigit, phone: typePhoneDigit, requeue: typeRequeue };
  for (const pad of document.querySelectorAll(".numpad[data-pad]")) buildPad(pad, pads[pad.dataset.pad]);  // before i18n names the keys
  buildKeyboard($("search-keyboard"), typeSearch);
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
  localStorage.removeItem(ELDER_STORE);
  setElder(false);
  tick();
  setInterval(tick, 1000);
  setInterval(checkHealth, HEALTH_EVERY_MS);
  setInterval(() => { if (state.online) loadCatalog().catch(() => setOnline(false)); }, CATALOG_EVERY_MS);
  if (!state.token) show("pair"); else show("home");
  listen();
  checkHealth();
}

wire();
