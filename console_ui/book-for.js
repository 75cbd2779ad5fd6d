// 代预约: staff book a slot for a citizen (CONTRACT v2: bookings come from the provincial platform or
// staff), from the admin board's 今日预约 panel: a matter that takes bookings (GET /catalog), a day, a
// slot with its free places (GET /appointments/slots), the citizen's ID number, name and phone →
// POST /appointments. The answer's six-digit code is what the citizen types at the kiosk (预约签到); the
// booking itself shows in the panel through the `appointment` push.
import { newIdempotencyKey } from "/ui/common/api.js";
import { describeInLanguage as describe } from "/ui/common/errors.js";

export const BOOK_FOR_PHRASES = {
  zh: {
    bookFor: "代预约", bookMatter: "预约事项", bookDay: "预约日期", bookSlot: "预约时段", bookId: "身份证号", bookName: "姓名", bookPhone: "手机号（选填）", bookSubmit: "预约",
    bookSlotFree: "{start}–{end} 余{free}", bookNoSlot: "这一天没有可约时段", bookDone: "已预约 {date} {start}，预约码 {code}：请告诉群众凭此码在取号机「预约签到」。",
    bookNeedAll: "请选择事项、日期和时段，并填写身份证号和姓名。",
  },
  en: {
    bookFor: "Book for a citizen", bookMatter: "Matter to book", bookDay: "Day to book", bookSlot: "Slot to book", bookId: "ID number", bookName: "Name", bookPhone: "Phone (optional)", bookSubmit: "Book",
    bookSlotFree: "{start}–{end} ({free} free)", bookNoSlot: "No free slot on this day",
    bookDone: "Booked {date} {start}, code {code}: the citizen checks in with it at the kiosk.",
    bookNeedAll: "Choose a matter, a day and a slot, and enter the ID number and name.",
  },
};

/** @param panel what the bookings panel lends: session, i18n, today() → the hall's date shown, YYYY-MM-DD */
export function createBookFor({ session, i18n, today }) {
  const t = i18n.t;
  const $ = (id) => document.getElementById(id);
  const state = { matters: null, attempt: null };

  function say(text, ok = false) {
    const out = $("book-result");
    out.hidden = !text;
    out.textContent = text || "";
    out.className = ok ? "book-ok" : "book-refused";
  }

  async function open() {
    const form = $("book-form");
    form.hidden = !form.hidden;
    if (form.hidden) return;
    if (!state.matters) {
      const catalog = await session.call("GET", "/catalog");
      state.matters = catalog.matters.filter((m) => m.appointment_quota > 0);
      $("book-matter").replaceChildren(...state.matters.map((m) => Object.assign(document.createElement("option"),
        { value: m.id, textContent: i18n.named(m) })));
    }
    // The hall's today as the panel knows it; before the panel's first read, as the server says.
    if (!$("book-day").value) $("book-day").value = today() || (await session.call("GET", "/appointments")).date;
    await slots();
  }

  async function slots() {
    const matter = $("book-matter").value, day = $("book-day").value;
    $("book-slot").replaceChildren();
    if (!matter || !day) return;
    try {
      const answer = await session.call("GET", `/appointments/slots?matter=${encodeURIComponent(matter)}&date=${encodeURIComponent(day)}`);
      const free = answer.slots.filter((s) => s.free > 0);
      $("book-slot").replaceChildren(...(free.length ? free.map((s) => Object.assign(document.createElement("option"),
        { value: s.start, textContent: t("bookSlotFree", s) })) : [Object.assign(document.createElement("option"),
        { value: "", textContent: t("bookNoSlot") })]));
    } catch (err) {
      say(describe(err, i18n.lang).text);
    }
  }

  async function submit(event) {
    event.preventDefault();
    const body = { matter: $("book-matter").value, date: $("book-day").value, start: $("book-slot").value,
      id_number: $("book-id").value.trim().toUpperCase(), name: $("book-name").value.trim() };
    const phone = $("book-phone").value.trim();
    if (phone) body.phone = phone;
    if (!body.matter || !body.date || !body.start || !body.id_number || !body.name) { say(t("bookNeedAll")); return; }
    // One key while the same booking is retried: a double press or a retry after a timeout books once.
    const text = JSON.stringify(body);
    if (!state.attempt || state.attempt.text !== text) state.attempt = { text, key: newIdempotencyKey() };
    try {
      const { appointment: a } = await session.call("POST", "/appointments", { body, idempotencyKey: state.attempt.key });
      say(t("bookDone", { date: a.date, start: a.start.slice(11, 16), code: a.code }), true);
      $("book-id").value = $("book-name").value = $("book-phone").value = "";
      state.attempt = null;
      await slots();
    } catch (err) {
      say(describe(err, i18n.lang).text);
    }
  }

  $("book-open").addEventListener("click", () => { open().catch((err) => say(describe(err, i18n.lang).text)); });
  $("book-matter").addEventListener("change", slots);
  $("book-day").addEventListener("change", slots);
  $("book-form").addEventListener("submit", submit);
}
