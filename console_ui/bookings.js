// The admin board's 今日预约 panel: for each slot and matter of a day, the places booked, checked in
// (签到), still to come and missed (爽约) against the matter's quota per slot (GET /appointments). It is
// read on load and on every (re)connect, and again shortly after each `appointment` push of /admin for
// the day shown (several pushes in a burst: one read). Another day can be looked at with the date field.
import { describeInLanguage as describe, showMessage } from "/ui/common/errors.js";
import { BOOK_FOR_PHRASES, createBookFor } from "/ui/console/book-for.js";

const DEBOUNCE_MS = 300;
const REFRESH_MS = 60000;  // the current slot's highlight moves on, and today turns into tomorrow

export const BOOKING_PHRASES = {
  zh: {
    bookingsToday: "今日预约", bookingsOn: "{date} 预约", bookingDate: "日期", bookingToday: "今天",
    slot: "时段", bookingMatter: "事项", taken: "已约 / 限额", checkedIn: "已签到", toCome: "待签到", missed: "爽约",
    bookingSummary: "共 {taken} 人预约：已签到 {checked}，待签到 {booked}，爽约 {missed}，已取消 {cancelled}",
    noBookings: "这一天没有预约。", bookingsUnreadable: "预约情况暂时读不到，稍后会自动重试。",
    ...BOOK_FOR_PHRASES.zh,
  },
  en: {
    bookingsToday: "Today's bookings", bookingsOn: "Bookings on {date}", bookingDate: "Date", bookingToday: "Today",
    slot: "Slot", bookingMatter: "Matter", taken: "Booked / quota", checkedIn: "Checked in", toCome: "To come", missed: "Missed",
    bookingSummary: "{taken} booked: {checked} checked in, {booked} to come, {missed} missed, {cancelled} cancelled",
    noBookings: "No bookings on this day.", bookingsUnreadable: "The bookings cannot be read just now; retrying shortly.",
    ...BOOK_FOR_PHRASES.en,
  },
};

/**
 * @param board what the board lends: session, i18n, message (element), onRefused(err) (the sign-in ran
 *   out), now() (the hall's clock as the board knows it, ms)
 */
export function createBookingsPanel({ session, i18n, message, onRefused, now = Date.now }) {
  const t = i18n.t;
  const $ = (id) => document.getElementById(id);
  const state = { chosen: null, today: null, day: null, timer: null, debounce: null, reads: 0 };

  async function load() {
    const read = ++state.reads;
    const query = state.chosen ? `?date=${encodeURIComponent(state.chosen)}` : "";
    try {
      const day = await session.call("GET", `/appointments${query}`);
      if (read !== state.reads) return;  // a later read was asked for meanwhile: its answer wins
      state.day = day;
      render();
    } catch (err) {
      if (err.code === "unauthorized") { onRefused(err); return; }
      showMessage(message, describe(err, i18n.lang, { codes: { unavailable: t("bookingsUnreadable"), network: t("bookingsUnreadable") } }));
    }
  }

  /** `appointment` on /admin: a booking of some day changed; re-read if it is the day shown. */
  function onAppointment(appointment) {
    if (state.day && appointment && appointment.date !== state.day.date) return;
    clearTimeout(state.debounce);
    state.debounce = setTimeout(load, DEBOUNCE_MS);
  }

  function render() {
    const day = state.day;
    if (!day) return;
    if (!state.chosen) state.today = day.date;  // asked without a date, the server answers with the hall's today
    $("bookings-title").textContent = day.date === state.today ? t("bookingsToday") : t("bookingsOn", { date: day.date });
    $("bookings-date").value = day.date;
    // A slot ends when its bookings say (the hall's slot length is the server's to know).
    const ends = new Map(day.appointments.map((a) => [`${a.matter}@${a.start.slice(11, 16)}`, Date.parse(a.end)]));
    const starts = new Map(day.appointments.map((a) => [`${a.matter}@${a.start.slice(11, 16)}`, Date.parse(a.start)]));
    const names = new Map(day.appointments.map((a) => [a.matter, a.matter_name]));
    const sum = { taken: 0, checked: 0, booked: 0, missed: 0, cancelled: 0 };
    const at = now();
    $("booking-slots").replaceChildren(...day.slots.map((s) => {
      const key = `${s.matter}@${s.start}`;
      const taken = s.booked + s.checked_in + s.missed;
      Object.assign(sum, { taken: sum.taken + taken, checked: sum.checked + s.checked_in, booked: sum.booked + s.booked,
        missed: sum.missed + s.missed, cancelled: sum.cancelled + s.cancelled });
      const tr = document.createElement("tr");
      Object.assign(tr.dataset, { slot: s.start, matter: s.matter });
      if (starts.get(key) <= at && at < ends.get(key)) tr.classList.add("b-now");
      if (s.quota && taken >= s.quota) tr.classList.add("b-full");
      const cells = [s.start, names.get(s.matter) || s.matter, null, String(s.checked_in), String(s.booked), String(s.missed)];
      for (const [i, value] of cells.entries()) {
        const td = document.createElement("td");
        if (i === 2) td.append(takenBar(s, taken)); else td.textContent = value;
        if (i === 5 && s.missed) td.className = "b-missed";
        tr.append(td);
      }
      return tr;
    }));
    $("no-bookings").hidden = day.slots.length > 0;
    $("booking-table").hidden = day.slots.length === 0;
    $("bookings-summary").hidden = day.slots.length === 0;
    $("bookings-summary").textContent = t("bookingSummary", sum);
  }

  /** "3 / 4" over a bar: checked in, still to come and missed, as parts of the slot's quota. */
  function takenBar(s, taken) {
    const cell = Object.assign(document.createElement("span"), { className: "b-taken" });
    cell.append(Object.assign(document.createElement("span"), { className: "b-count", textContent: `${taken} / ${s.quota}` }));
    const bar = Object.assign(document.createElement("span"), { className: "b-bar" });
    bar.setAttribute("aria-hidden", "true");
    const of = Math.max(s.quota, taken, 1);
    for (const [part, n] of [["checked", s.checked_in], ["booked", s.booked], ["missed", s.missed]]) {
      const piece = Object.assign(document.createElement("span"), { className: `b-${part}` });
      piece.style.width = `${(100 * n) / of}%`;
      bar.append(piece);
    }
    cell.append(bar);
    return cell;
  }

  $("bookings-date").addEventListener("change", () => {
    state.chosen = $("bookings-date").value || null;
    load();
  });
  $("bookings-today").addEventListener("click", () => { state.chosen = null; load(); });
  createBookFor({ session, i18n, today: () => state.today });

  return {
    async start() {
      state.chosen = null;
      await load();
      clearInterval(state.timer);
      state.timer = setInterval(() => { if (session.token) load(); }, REFRESH_MS);
    },
    stop() { clearInterval(state.timer); clearTimeout(state.debounce); },
    reload: () => load(),
    onAppointment,
    render,
  };
}
