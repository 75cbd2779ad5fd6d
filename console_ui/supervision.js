// 电子监察 on the admin board: the open supervision alerts (CONTRACT v2 ALERT), red before yellow, each
// with its sentence, how long ago it was raised, a 定位 (jump to the window or ticket on the board)
// and a 处理 (acknowledge with a note, 处理说明). A red alert cannot be missed: a red banner in the
// header with the count, the page title, and an alarm sounded once for each newly raised red alert.
// The list is read whole (GET /alerts?status=open) on every (re)connect and follows the `alert`
// pushes of /admin after that; an alert with `cleared_at` leaves it for the 最近解除 fold. A yellow
// alert whose subject has turned red under the same rule (a wait: yellow, then red, both open) shows
// as its red one, and handling the red one handles it too.
import { newIdempotencyKey } from "/ui/common/api.js";
import { describeInLanguage as describe, showMessage } from "/ui/common/errors.js";
import { hallTime } from "/ui/common/i18n.js";
import { tone } from "/ui/common/tone.js";
import { deviceSentence } from "/ui/console/devices.js";

const TICK_MS = 15000;        // "N 分钟前" is re-counted this often
const KEEP_CLEARED = 10;
const SKEW_IGNORED_MS = 30000;  // the server's clock and this one agree closer than this: trust ours

export const SUPERVISION_PHRASES = {
  zh: {
    supervision: "电子监察", noAlerts: "暂无告警。", red: "红牌", yellow: "黄牌", groupTitle: "{level}（{n}）",
    redBanner: "红牌告警 {n} 条", redBannerOpen: "红牌告警 {n} 条，{m} 条未处理", recentlyCleared: "最近解除（{n}）",
    justNow: "刚刚", minutesAgo: "{n}分钟前", hoursAgo: "{h}小时{m}分钟前", raisedAt: "{time} 发出",
    clearedAt: "{time} 解除", clearedUnseen: "已解除",
    acknowledged: "已处理 · {who} {time}：{note}", locate: "定位", acknowledge: "处理", ackTitle: "处理告警",
    ackNote: "处理说明", ackConfirm: "确认", cancel: "取消", ackDone: "已处理：{text}", needNote: "请填写处理说明。",
    notSupervisor: "处理告警需要管理员或电子监察账号。", ticketAt: "{number} 号在{floor}楼{queue}队列等候。",
    ticketAtWindow: "{number} 号 · {window}号窗口",
  },
  en: {
    supervision: "Supervision", noAlerts: "No alerts.", red: "Red", yellow: "Yellow", groupTitle: "{level} ({n})",
    redBanner: "{n} red alert(s)", redBannerOpen: "{n} red alert(s), {m} not handled", recentlyCleared: "Recently cleared ({n})",
    justNow: "just now", minutesAgo: "{n} min ago", hoursAgo: "{h} h {m} min ago", raisedAt: "raised {time}",
    clearedAt: "cleared {time}", clearedUnseen: "cleared",
    acknowledged: "Handled · {who} {time}: {note}", locate: "Locate", acknowledge: "Handle", ackTitle: "Handle the alert",
    ackNote: "What was done", ackConfirm: "Confirm", cancel: "Cancel", ackDone: "Handled: {text}", needNote: "Write what was done.",
    notSupervisor: "Handling alerts needs an admin or supervisor account.", ticketAt: "Ticket {number} waits in {queue} on floor {floor}.",
    ticketAtWindow: "ticket {number} · window {window}",
  },
};

export const RULES = {
  zh: { wait: "等候超时", service: "办理超时", pause: "暂停超时", idle_window: "窗口空闲", unstaffed_window: "窗口无人值守",
    no_show: "过号偏多", case_due: "办件临近时限", case_overdue: "办件超期", bad_rating: "差评",
    follow_up_overdue: "回访整改逾期", device: "设备异常" },
  en: { wait: "Long wait", service: "Long service", pause: "Long pause", idle_window: "Idle window", unstaffed_window: "Unstaffed window",
    no_show: "Many no-shows", case_due: "Case due soon", case_overdue: "Case overdue", bad_rating: "Bad rating",
    follow_up_overdue: "Follow-up overdue", device: "Device trouble" },
};

/** The alert as a sentence: the server's own (Chinese) one; in English one made from its facts when they suffice. */
export function alertText(alert, lang) {
  // A device's alert: its sentence from its codes, in either language (never the driver's own words).
  if (alert.rule === "device" && alert.detail && alert.detail.state) return deviceSentence(alert.detail, lang);
  if (lang !== "en") return alert.message || "";
  const d = alert.detail || {};
  const w = d.window, n = d.number, m = d.minutes != null ? Math.floor(d.minutes) : null;
  const sentences = {
    wait: n && m != null && `Ticket ${n} has waited ${m} min.`,
    service: w && m != null && `Window ${w} has served ${n ? `ticket ${n}` : "one ticket"} for ${m} min.`,
    pause: w && m != null && `Window ${w} has been paused for ${m} min.`,
    idle_window: w && `Window ${w} is open and staffed but has not called while tickets wait.`,
    unstaffed_window: w && `Window ${w} is open with no clerk signed in.`,
    no_show: d.clerk && `Clerk ${d.clerk} has marked many no-shows today.`,
    case_due: d.case && `Case ${d.case} is due soon.`,
    case_overdue: d.case && `Case ${d.case} is overdue.`,
    bad_rating: w && `Window ${w} received a bad rating${n ? ` (ticket ${n})` : ""}; follow it up.`,
    follow_up_overdue: `A bad rating's follow-up is overdue.`,
  };
  return sentences[alert.rule] || alert.message || "";
}

const clockTime = (ms) => hallTime(ms);  // the hall's clock, not the laptop's

/** An alarm made with WebAudio (no sound file): three sharp tones. Browsers allow sound after a user
 * gesture (the 登录 click); `unlock` is called from it, and again on the first click or key after a
 * reload. An alarm that could not sound then sounds at the unlock. <body data-alarms> counts them. */
function createAlarm() {
  let context = null;
  let owed = false;

  function unlock() {
    try {
      const Ctx = window.AudioContext || window.webkitAudioContext;
      if (!context && Ctx) context = new Ctx();
      if (context && context.state === "suspended") context.resume().then(() => { if (owed) sound(); }).catch(() => {});
    } catch { /* no audio on this machine: the banner still says it */ }
  }

  function sound() {
    if (!context || context.state !== "running") { owed = true; unlock(); return; }
    owed = false;
    const now = context.currentTime;
    for (const [i, f] of [988, 740, 988].entries()) {
      tone(context, f, now + i * 0.32, 0.26, { type: "square", peak: 0.25, attack: 0.01 });
    }
    document.body.dataset.alarms = String(Number(document.body.dataset.alarms || 0) + 1);
  }

  for (const kind of ["pointerdown", "keydown"]) document.addEventListener(kind, unlock, { capture: true });
  return { unlock, sound };
}

export function createSupervisionPanel({ session, i18n, message, onRefused, jump }) {
  const t = i18n.t;
  const $ = (id) => document.getElementById(id);
  const alarm = createAlarm();
  const state = { open: new Map(), cleared: [], seen: new Set(), loading: false, pending: [], skew: 0, timer: null,
    acking: null, ackKey: null, started: false, title: document.title };

  const now = () => Date.now() + state.skew;

  function ago(iso) {
    const minutes = Math.max(0, Math.floor((now() - Date.parse(iso)) / 60000));
    if (minutes < 1) return t("justNow");
    if (minutes < 60) return t("minutesAgo", { n: minutes });
    return t("hoursAgo", { h: Math.floor(minutes / 60), m: minutes % 60 });
  }

  // ---------------------------------------------------------------- the list
  async function load() {
    state.loading = true;
    try {
      const answer = await session.call("GET", "/alerts?status=open");
      const fresh = new Map(answer.alerts.filter((a) => !a.cleared_at).map((a) => [a.id, a]));
      for (const [id, gone] of state.open) if (!fresh.has(id)) keepCleared(gone);  // cleared while we were away
      state.open = fresh;
      const newRed = answer.alerts.some((a) => !state.seen.has(a.id) && a.level === "red" && !a.acknowledged_at && !a.cleared_at);
      for (const a of answer.alerts) state.seen.add(a.id);
      if (newRed) alarm.sound();
    } finally {
      state.loading = false;
      const pending = state.pending.splice(0);
      for (const alert of pending) apply(alert);
      render();
    }
  }

  function keepCleared(alert) {
    state.cleared = [alert, ...state.cleared.filter((a) => a.id !== alert.id)].slice(0, KEEP_CLEARED);
  }

  /** One `alert` push: raised, cleared or acknowledged. */
  function onAlert(alert) {
    if (!alert || !alert.id) return;
    // Each push is news of the moment: its latest time is the server's clock now (a test's, or a
    // hall PC whose clock drifted); "N 分钟前" counts on that clock.
    const latest = Math.max(...[alert.raised_at, alert.cleared_at, alert.acknowledged_at].filter(Boolean).map(Date.parse));
    if (Number.isFinite(latest)) {
      const skew = latest - Date.now();
      state.skew = Math.abs(skew) > SKEW_IGNORED_MS ? skew : 0;
    }
    if (state.loading) { state.pending.push(alert); return; }
    apply(alert);
    render();
  }

  function apply(alert) {
    const isNew = !state.seen.has(alert.id);
    state.seen.add(alert.id);
    if (alert.cleared_at) {
      state.open.delete(alert.id);
      keepCleared(alert);
      return;
    }
    state.open.set(alert.id, alert);
    if (isNew && alert.level === "red" && !alert.acknowledged_at) alarm.sound();
  }

  const sameMatter = (a, b) => a.rule === b.rule && a.subject && b.subject && a.subject.kind === b.subject.kind
    && a.subject.id === b.subject.id;
  /** Open yellow alerts of the same rule and subject as an open red one: the red one says it now. */
  const supersededBy = (red) => [...state.open.values()].filter((a) => a.level !== "red" && sameMatter(a, red));
  const isSuperseded = (a) => a.level !== "red" && [...state.open.values()].some((r) => r.level === "red" && sameMatter(a, r));

  // ---------------------------------------------------------------- acknowledging
  function startAck(alert) {
    state.acking = alert;
    state.ackKey = newIdempotencyKey();  // a double click or a retry acknowledges once
    $("ack-alert").textContent = `${RULES[i18n.lang][alert.rule] || alert.rule} · ${alertText(alert, i18n.lang)}`;
    $("ack-note").value = "";
    showMessage($("ack-message"), null);
    $("ack-dialog").showModal();
    $("ack-note").focus();
  }

  async function submitAck(event) {
    event.preventDefault();
    const alert = state.acking;
    const note = $("ack-note").value.trim();
    if (!alert) return;
    if (!note) { showMessage($("ack-message"), { text: t("needNote") }); $("ack-note").focus(); return; }
    const button = $("ack-form").querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const answer = await session.call("POST", `/alerts/${encodeURIComponent(alert.id)}/acknowledge`,
        { body: { note }, idempotencyKey: state.ackKey });
      onAlert(answer.alert);
      $("ack-dialog").close();
      state.acking = null;
      showMessage(message, { text: t("ackDone", { text: alertText(answer.alert, i18n.lang) }) }, "info");
      for (const earlier of supersededBy(alert).filter((a) => !a.acknowledged_at)) {  // its yellow stage: the same note
        session.call("POST", `/alerts/${encodeURIComponent(earlier.id)}/acknowledge`, { body: { note }, idempotencyKey: newIdempotencyKey() })
          .then((done) => onAlert(done.alert), () => {});
      }
    } catch (err) {
      if (err.code === "unauthorized") { $("ack-dialog").close(); onRefused(err); return; }
      const said = describe(err, i18n.lang, { reasons: { role_not_allowed: t("notSupervisor") } });
      if (err.code === "conflict" || err.code === "not_found") {  // someone was first, or it is gone: nothing left to do here
        $("ack-dialog").close();
        state.acking = null;
        showMessage(message, said);
        load().catch(() => {});
      } else {
        showMessage($("ack-message"), said);
      }
    } finally {
      button.disabled = false;
    }
  }

  // ---------------------------------------------------------------- rendering
  const newestFirst = (a, b) => Date.parse(b.raised_at) - Date.parse(a.raised_at);
  const byUrgency = (a, b) => (!!a.acknowledged_at - !!b.acknowledged_at) || newestFirst(a, b);
  const el = (tag, className, text) => Object.assign(document.createElement(tag), { className, textContent: text ?? "" });

  function item(alert, cleared = false) {
    const lang = i18n.lang;
    const li = document.createElement("li");
    Object.assign(li.dataset, { alert: alert.id, level: alert.level, rule: alert.rule, acknowledged: String(!!alert.acknowledged_at) });
    const head = el("div", "a-head");
    head.append(el("span", "a-level", t(alert.level === "red" ? "red" : "yellow")), el("span", "a-rule", RULES[lang][alert.rule] || alert.rule));
    const raised = Object.assign(el("time", "a-time", t("raisedAt", { time: clockTime(Date.parse(alert.raised_at)) })), { dateTime: alert.raised_at });
    head.append(raised);
    if (cleared) head.append(el("span", "a-ago", alert.cleared_at ? t("clearedAt", { time: clockTime(Date.parse(alert.cleared_at)) }) : t("clearedUnseen")));
    else head.append(Object.assign(el("span", "a-ago", ago(alert.raised_at)), { title: alert.raised_at }));
    li.append(head, el("p", "a-text", alertText(alert, lang)));
    const d = alert.detail || {};
    if (d.number && d.window && !cleared) li.append(el("p", "a-where", t("ticketAtWindow", { number: d.number, window: d.window })));
    if (alert.acknowledged_at) {
      li.append(el("p", "a-ack", t("acknowledged", { who: alert.acknowledged_by || "", time: clockTime(Date.parse(alert.acknowledged_at)),
        note: alert.note || "" })));
    }
    if (!cleared) {
      const actions = el("div", "a-actions");
      if (d.window || d.floor || d.device) actions.append(button(t("locate"), () => jump(alert), "locate"));
      if (!alert.acknowledged_at) actions.append(button(t("acknowledge"), () => startAck(alert), "acknowledge"));
      if (actions.children.length) li.append(actions);
    }
    return li;
  }

  function button(text, onClick, kind) {
    const b = el("button", kind, text);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }

  function render() {
    if (!state.started) return;
    const open = [...state.open.values()].filter((a) => !isSuperseded(a));
    for (const level of ["red", "yellow"]) {
      const list = open.filter((a) => (a.level === "red") === (level === "red")).sort(byUrgency);
      $(`alert-group-${level}`).hidden = list.length === 0;
      $(`alert-title-${level}`).textContent = t("groupTitle", { level: t(level), n: list.length });
      $(`alerts-${level}`).replaceChildren(...list.map((a) => item(a)));
    }
    $("no-alerts").hidden = open.length > 0;
    $("cleared-fold").hidden = state.cleared.length === 0;
    $("cleared-title").textContent = t("recentlyCleared", { n: state.cleared.length });
    $("alerts-cleared").replaceChildren(...state.cleared.map((a) => item(a, true)));
    renderBanner(open);
  }

  function renderBanner(open) {
    const red = open.filter((a) => a.level === "red");
    const unhandled = red.filter((a) => !a.acknowledged_at).length;
    const banner = $("red-banner");
    banner.hidden = red.length === 0;
    banner.dataset.unhandled = String(unhandled);
    banner.textContent = unhandled ? t("redBannerOpen", { n: red.length, m: unhandled }) : t("redBanner", { n: red.length });
    document.title = unhandled ? `(${unhandled}${i18n.lang === "zh" ? "红牌" : " red"}) ${state.title}` : state.title;
  }

  function tick() {
    for (const span of document.querySelectorAll("#supervision .alerts:not(.cleared) .a-ago")) span.textContent = ago(span.title);
  }

  $("ack-form").addEventListener("submit", submitAck);
  $("ack-form").querySelector("button.cancel").addEventListener("click", () => { state.acking = null; $("ack-dialog").close(); });
  $("red-banner").addEventListener("click", () => {
    const first = document.querySelector("#alerts-red li[data-acknowledged='false']") || $("supervision");
    first.scrollIntoView({ block: "center" });
  });

  return {
    /** Entering the board (the 登录 click is the user gesture that lets the alarm sound). */
    async start() {
      state.started = true;
      clearInterval(state.timer);
      state.timer = setInterval(tick, TICK_MS);
      render();
      await this.reload();
    },
    stop() {  // signed out: the next person to sign in hears what is red then
      clearInterval(state.timer);
      Object.assign(state, { started: false, open: new Map(), cleared: [], seen: new Set(), pending: [] });
      document.title = state.title;
      $("red-banner").hidden = true;
    },
    reload: () => load().catch((err) => { if (err.code === "unauthorized") onRefused(err); }),
    unlockSound: () => alarm.unlock(),
    onAlert,
    render,
    serverNow: now,
  };
}
