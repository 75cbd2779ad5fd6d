// 核验身份: while the window serves a ticket tied to a citizen (an ID card read at the kiosk or the guide
// desk, a booking, a phone) or a pickup ticket, the console shows who it belongs to in full, from
// GET /windows/{w}/holder (only the clerk signed in here may read it), so the clerk can compare it with
// the card in front of them; for a pickup, the case applicant's name and phone. Everything else on the
// pages shows them masked. The panel goes when the ticket leaves the window; 受理转办 takes the name and
// phone from it.
import { describeInLanguage as describe } from "/ui/common/errors.js";

export const HOLDER_PHRASES = {
  zh: {
    verifyTitle: "核验身份", verifyPickup: "核验取件人", verifyName: "姓名", verifyId: "身份证号", verifyPhone: "手机号",
    verifyCase: "办件", verifyHint: "请与群众出示的身份证核对。", verifyPickupHint: "请核对取件人是否为办件申请人或其委托人。",
    verifyGone: "该号已不在本窗口办理。",
  },
  en: {
    verifyTitle: "Check the ID", verifyPickup: "Check who collects", verifyName: "Name", verifyId: "ID number", verifyPhone: "Phone",
    verifyCase: "Case", verifyHint: "Compare with the ID card the citizen shows.",
    verifyPickupHint: "Check that the person collecting is the case's applicant or acts for them.",
    verifyGone: "This ticket is no longer served here.",
  },
};

/** @param console_ what the console lends: session, i18n, window() → WINDOW */
export function createHolderCheck({ session, i18n, window: currentWindow }) {
  const t = i18n.t;
  const $ = (id) => document.getElementById(id);
  const state = { ticket: null, answer: null };

  // A WINDOW's current ticket carries no holder (screens show WINDOWs), so every newly served ticket is
  // asked about; the panel shows only when the answer names someone.
  const served = (ticket) => Boolean(ticket && ticket.status === "called");
  const namesSomeone = (a) => Boolean(a && (a.failed || a.applicant
    || (a.holder && (a.holder.name || a.holder.id_number || a.holder.phone))));

  /** After every change of the window: read the holder of a newly served ticket, or hide the panel. */
  async function sync() {
    const w = currentWindow();
    const ticket = w && w.current;
    const wanted = served(ticket) ? ticket.id : null;
    if (wanted === state.ticket) { render(); return; }  // the same ticket (the language may have changed)
    state.ticket = wanted;
    state.answer = null;
    render();
    if (!wanted) return;
    try {
      const answer = await session.call("GET", `/windows/${encodeURIComponent(w.number)}/holder`);
      if (state.ticket !== wanted) return;  // the window moved on meanwhile
      state.answer = answer;
    } catch (err) {
      if (state.ticket !== wanted) return;
      state.answer = { failed: describe(err, i18n.lang, { reasons: { no_current_ticket: t("verifyGone") } }).text };
    }
    render();
  }

  function render() {
    const panel = $("verify");
    const a = state.answer;
    panel.hidden = !namesSomeone(a);
    if (panel.hidden) return;
    const pickup = !a.failed && a.kind === "pickup";
    $("verify-title").textContent = t(pickup ? "verifyPickup" : "verifyTitle");
    $("verify-hint").textContent = a.failed || t(pickup ? "verifyPickupHint" : "verifyHint");
    const who = (pickup ? a.applicant : a.holder) || {};
    const rows = a.failed ? [] : [["verifyName", who.name, "v-name"], ["verifyId", who.id_number, "v-id"],
      ["verifyPhone", who.phone, "v-phone"], ["verifyCase", pickup ? currentWindow().current.case : null, "v-case"]];
    $("verify-facts").replaceChildren(...rows.filter(([, value]) => value).flatMap(([key, value, cls]) => [
      Object.assign(document.createElement("dt"), { textContent: t(key) }),
      Object.assign(document.createElement("dd"), { textContent: value, className: cls })]));
  }

  return {
    sync,
    render,
    /** The name and phone to accept a case with (受理转办), when the ticket carries them. */
    person() {
      const a = state.answer;
      const who = a && !a.failed && (a.holder || a.applicant);
      return who ? { name: who.name || "", phone: who.phone || "" } : null;
    },
  };
}
