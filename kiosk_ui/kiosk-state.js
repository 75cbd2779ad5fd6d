// The kiosk's settings and the one visit's state every kiosk module reads and writes.
import { createI18n } from "/ui/common/i18n.js";
import { PHRASES } from "/ui/kiosk/phrases.js";

export const IDLE_MS = 30000;         // back to the home screen after 30 s without a touch
export const HEALTH_EVERY_MS = 3000;  // how often the kiosk checks that the server answers
export const CATALOG_EVERY_MS = 60000;
export const PER_PAGE = { normal: 8, elder: 4 };
export const TOKEN_STORE = "hallq.kiosk.token";
export const ELDER_STORE = "hallq.kiosk.elder";  // where earlier versions kept elder mode; cleared at start

export const i18n = createI18n(PHRASES);
export const t = i18n.t;
export const $ = (id) => document.getElementById(id);
// Where this kiosk stands, for the direction on the ticket: /kiosk?floor=2 (default: floor 1).
export const kioskFloor = Number(new URLSearchParams(location.search).get("floor") || 1);

export const state = {
  token: localStorage.getItem(TOKEN_STORE),
  catalog: null,
  online: true,
  elder: false,          // elder mode lasts one visit: a reload is not the same citizen for certain
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
  printer: null,         // this kiosk's printer {name, state, ready} (told over /kiosk; printer.js)
  slip: null,            // the ticket on screen's `slip` {printer, state, printing}, if a printer is attached
};
export const CASE_DIGITS = 12;
export const CODE_DIGITS = 6;  // a booking's code, and a case's pickup code
export const PHONE_DIGITS = 11;
