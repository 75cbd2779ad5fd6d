// Chinese by default, English on request; the choice is kept per device.
// Each page passes its own phrases; elements with data-i18n="key" get their text from them.
const STORE = "hallq.lang";

export function createI18n(phrases) {
  let lang = localStorage.getItem(STORE) === "en" ? "en" : "zh";
  const listeners = [];

  function t(key, vars = {}) {
    const table = phrases[lang] || phrases.zh;
    const text = table[key] ?? phrases.zh[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (_, name) => (vars[name] ?? ""));
  }

  function apply(root = document) {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
    for (const el of root.querySelectorAll("[data-i18n-label]")) el.setAttribute("aria-label", t(el.dataset.i18nLabel));
    for (const el of root.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
  }

  function setLang(next) {
    lang = next === "en" ? "en" : "zh";
    localStorage.setItem(STORE, lang);
    apply();
    for (const fn of listeners) fn(lang);
  }

  return {
    t, apply, setLang,
    get lang() { return lang; },
    /** A catalog entry's name (a matter's, queue's, department's) in the page's language: in English the
     * hall config's `name_en` where it gives one, else the Chinese name. */
    named(item) { return item ? (lang === "en" && item.name_en) || item.name : ""; },
    onChange(fn) { listeners.push(fn); },
    // A button that switches between 中文 and English; it names the other language.
    bindSwitch(button) {
      const label = () => { button.textContent = lang === "zh" ? "English" : "中文"; };
      label();
      button.addEventListener("click", () => { setLang(lang === "zh" ? "en" : "zh"); label(); });
    },
  };
}

export const ZONE_NAMES = {
  zh: { individual: "个人服务区", enterprise: "企业项目服务区", institution: "机关事业单位服务区" },
  en: { individual: "Individuals", enterprise: "Enterprises & projects", institution: "Public institutions" },
};

// A floor's zone by name: in Chinese the hall's own (config "一楼 服务群众个人区" → "服务群众个人区"), else the zone's.
export function floorZone(lang, floor) {
  return lang === "zh" && floor.name ? floor.name.split(" ").pop() : ZONE_NAMES[lang][floor.zone];
}

// Items in a line: 、 between them in Chinese, a comma in English.
export function listed(lang, items) {
  return items.join(lang === "zh" ? "、" : ", ");
}

export const WINDOW_STATES = {
  zh: { open: "开放", paused: "暂停服务", closed: "未开放" },
  en: { open: "Open", paused: "Paused", closed: "Closed" },
};

export const TICKET_STATUSES = {
  zh: { waiting: "等候中", called: "已叫号", done: "已办结", no_show: "已过号", routed: "已转后台办理", cancelled: "已作废" },
  en: { waiting: "Waiting", called: "Called", done: "Done", no_show: "Missed", routed: "Sent to back office", cancelled: "Cancelled" },
};

export function floorLabel(lang, floor) {
  return lang === "zh" ? `${floor}楼` : `Floor ${floor}`;
}

// The clock of the hall, not of the computer showing the page (a kiosk's PC may be set to another zone,
// a supervisor's laptop may travel): read in the hall's IANA time zone (GET /catalog hall.timezone); the
// computer's own zone while the catalogue is not loaded yet, or when this browser does not know the
// hall's zone. A page that has read the catalogue says so once (`useHallZone`); the times and days
// below are then the hall's.
let hallZone;

const zoneKnown = new Map();  // asked once per zone: a clock ticks every second

function knownZone(timeZone) {
  if (!timeZone) return undefined;
  if (!zoneKnown.has(timeZone)) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone });
      zoneKnown.set(timeZone, true);
    } catch (err) {
      zoneKnown.set(timeZone, false);  // a zone this browser does not know
    }
  }
  return zoneKnown.get(timeZone) ? timeZone : undefined;
}

export function useHallZone(timeZone) { hallZone = knownZone(timeZone); }

/** An instant's wall clock in a zone: { year, month, day, hour, minute, second, weekday } as strings. */
export function wallClock(when, timeZone = hallZone) {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone: knownZone(timeZone), hourCycle: "h23", weekday: "short",
    year: "numeric", month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" }).formatToParts(new Date(when));
  return Object.fromEntries(parts.map((p) => [p.type, p.value]));
}

/** "09:05" (or "09:05:30") on the hall's clock. */
export function hallTime(when, seconds = false) {
  const p = wallClock(when);
  return seconds ? `${p.hour}:${p.minute}:${p.second}` : `${p.hour}:${p.minute}`;
}

/** "2026-12-06": the hall's calendar day of an instant (the form of a date input). */
export function hallDay(when) {
  const p = wallClock(when);
  return `${p.year}-${p.month.padStart(2, "0")}-${p.day.padStart(2, "0")}`;
}

/** The hall's day of an instant as the language writes it ("2026/12/6", "06/12/2026"); with its time. */
export function hallDate(when, lang, withTime = false) {
  const options = { timeZone: hallZone, ...(withTime ? { hour12: false } : {}) };
  const locale = lang === "zh" ? "zh-CN" : "en-GB";
  return withTime ? new Date(when).toLocaleString(locale, options) : new Date(when).toLocaleDateString(locale, options);
}

export function clock(lang, timeZone, now = new Date()) {
  const part = wallClock(now, timeZone);
  const time = `${part.hour}:${part.minute}:${part.second}`;
  if (lang === "zh") {
    const week = "日一二三四五六"[["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(part.weekday)];
    return { time, date: `${part.year}年${part.month}月${part.day}日 星期${week}` };
  }
  return { time, date: now.toLocaleDateString("en-GB", { timeZone: knownZone(timeZone), weekday: "long", day: "numeric", month: "long", year: "numeric" }) };
}

export function minutesSince(iso, until = Date.now()) {
  return iso ? Math.max(0, Math.floor((until - Date.parse(iso)) / 60000)) : 0;
}

// A predicted wait (TICKET's and /stats' eta_minutes and eta_range), worded alike on every page and on
// the printed slip (server/domain/wording.py): a range, "soon" within a minute, or nobody serving (null).
export const WAIT_WORDS = {
  zh: { range: "约 {low}–{high} 分钟", about: "约 {n} 分钟", soon: "即将叫号", nobody: "暂无窗口办理" },
  en: { range: "about {low}–{high} min", about: "about {n} min", soon: "Called very soon", nobody: "No window serving now" },
};

export function waitText(lang, minutes, range) {
  const words = WAIT_WORDS[lang] || WAIT_WORDS.zh;
  if (minutes == null) return words.nobody;
  const [low, high] = range || [minutes, minutes];
  if (high <= 1) return words.soon;
  if (low < 1) return fill0(words.within || words.about, high);  // "约 0–5 分钟" reads as a promise of no wait
  const fill = (text, vars) => text.replace(/\{(\w+)\}/g, (_, name) => vars[name]);
  return low < high ? fill(words.range, { low, high }) : fill(words.about, { n: high });
}

// A range that starts at nothing is worded by its end: "5 分钟内", never "约 0–5 分钟" (issue 13).
WAIT_WORDS.zh.within = "{n} 分钟内";
WAIT_WORDS.en.within = "within {n} min";
function fill0(text, n) {
  return text.replace("{n}", n);
}
