// The kiosk's other ways in: 取件 by case number, 预约签到 by code or ID card, the optional phone, 过号顺延.
import { newIdempotencyKey } from "/ui/common/api.js";
import { showMessage } from "/ui/common/errors.js";
import { $, CASE_DIGITS, CODE_DIGITS, PHONE_DIGITS, state, t } from "/ui/kiosk/kiosk-state.js";
import { goHome, issue, issuingRefusal, renderConfirmExtras, show, touched, updateTakeButton } from "/ui/kiosk/kiosk.js";

// ------------------------------------------------------------------ pickup (取件) by case number and code
// One pad types both: the case number's 12 digits, then the pickup code's 6 (deleting past the code
// goes back into the number). An ID card read this visit stands in for the code (the applicant's own).
export function openPickup() {
  state.caseNumber = "";
  state.pickupCode = "";
  state.pickupKey = newIdempotencyKey();
  showMessage($("pickup-message"), null);
  renderPickup();
  show("pickup");
}

export function renderPickup() {
  $("case-number").value = state.caseNumber;
  $("case-digits").textContent = t("caseDigits", { n: state.caseNumber.length });
  $("pickup-code").value = state.pickupCode;
  $("code-digits").textContent = t("codeDigits", { n: state.pickupCode.length });
  $("take-pickup").disabled = state.taking || issuingRefusal() !== null;
}

export function typeCaseDigit(change) {
  const typed = state.caseNumber + state.pickupCode;
  const next = change(typed).slice(0, CASE_DIGITS + CODE_DIGITS);
  if (next === typed) return;
  state.caseNumber = next.slice(0, CASE_DIGITS);
  state.pickupCode = next.slice(CASE_DIGITS);
  state.pickupKey = newIdempotencyKey();  // another number is another request
  showMessage($("pickup-message"), null);
  renderPickup();
}

export async function takePickupTicket() {
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
export function openAppointment() {
  state.appointmentCode = "";
  state.appointmentKey = newIdempotencyKey();
  showMessage($("appointment-message"), null);
  $("card-walk-in").hidden = true;
  renderAppointment();
  show("appointment");
}

export function renderAppointment() {
  $("appointment-code").value = state.appointmentCode;
  $("appointment-digits").textContent = t("appointmentDigits", { n: state.appointmentCode.length });
  $("appointment-reader").hidden = !state.reader;
  updateTakeButton();
}

export function typeCodeDigit(change) {
  const next = change(state.appointmentCode).replace(/\D/g, "").slice(0, CODE_DIGITS);
  if (next === state.appointmentCode) return;
  state.appointmentCode = next;
  state.appointmentKey = newIdempotencyKey();
  showMessage($("appointment-message"), null);
  renderAppointment();
}

export async function checkInByCode() {
  await issue({ appointment: state.appointmentCode }, state.appointmentKey, $("appointment-message"), renderAppointment,
    () => (state.appointmentCode.length !== CODE_DIGITS ? { text: t("appointmentIncomplete") } : null),
    { codes: { not_found: t("noSuchAppointment"), invalid: t("appointmentIncomplete"), conflict: t("retry") } },
    { working: "checkingIn" });
}

// ------------------------------------------------------------------ 刷身份证: a card on this kiosk's reader
// On the confirm screen the card goes with the walk-in ticket; anywhere else it checks in the
// holder's booking for today (and, when there is none, stays for the visit's ticket).
export function cardPlaced(card) {
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

export async function checkInByCard() {
  const card = state.idCard;
  const checkedIn = await issue({ id_card: { number: card.number, name: card.name } }, newIdempotencyKey(),
    $("appointment-message"), renderAppointment, () => null,
    { codes: { not_found: t("noAppointmentForId"), conflict: t("retry") } }, { working: "cardLookingUp" });
  if (!checkedIn) $("card-walk-in").hidden = false;  // the card stays for a walk-in ticket of this visit
}

// ------------------------------------------------------------------ 短信通知: the optional phone
export function openPhone() {
  state.phoneDraft = state.phone;
  showMessage($("phone-message"), null);
  renderPhone();
  show("phone");
}

export function renderPhone() {
  $("phone-number").value = state.phoneDraft;
}

export function typePhoneDigit(change) {
  state.phoneDraft = change(state.phoneDraft).replace(/\D/g, "").slice(0, PHONE_DIGITS);
  showMessage($("phone-message"), null);
  renderPhone();
}

export function phoneChosen(phone) {
  if (phone && !/^1\d{10}$/.test(phone)) { showMessage($("phone-message"), { text: t("phoneIncomplete") }); return; }
  if (phone !== state.phone) state.takeKey = newIdempotencyKey();
  state.phone = phone;
  renderConfirmExtras();
  show("confirm");
  updateTakeButton();
}

// ------------------------------------------------------------------ 过号顺延: a missed ticket queues again
export function openRequeue() {
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

export function renderRequeue() {
  const minutes = state.catalog && state.catalog.hall.requeue_minutes;
  $("requeue-explain").textContent = minutes ? t("requeueExplain", { n: minutes }) : t("requeueExplainAny");
  $("requeue-number").value = state.requeueNumber;
  updateTakeButton();
}

export function typeRequeue(change) {
  const typed = change(state.requeueNumber);
  const [, letters = "", digits = ""] = /^([A-Z]*)(\d*)$/.exec(typed) || [];
  const next = letters + digits.slice(0, 4);
  if (next === state.requeueNumber || !/^([A-Z]*)(\d*)$/.test(typed)) return;
  state.requeueNumber = next;
  state.requeueKey = newIdempotencyKey();
  showMessage($("requeue-message"), null);
  renderRequeue();
}

export async function requeue() {
  await issue({ number: state.requeueNumber }, state.requeueKey, $("requeue-message"), renderRequeue,
    () => (/^[A-Z]{1,2}\d{3,4}$/.test(state.requeueNumber) ? null : { text: t("requeueIncomplete") }),
    { codes: { not_found: t("noSuchTicket"), invalid: t("requeueIncomplete"), conflict: t("retry") } },
    { path: "/tickets/requeue", working: "requeueing", via: "requeue" });
}
