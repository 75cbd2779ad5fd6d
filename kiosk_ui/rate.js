// A window's rating pad (好差评), /rate?window=W: a tablet facing the citizen. It pairs once with a pad's
// device token, shows the window, the clerk and the number being (or just) served, and takes one of the
// five national levels with an optional comment; then thanks, and back to waiting. What it offers is
// the server's (GET /windows/{w}/rating-target), read again on every change of the window (the /display
// socket) and every few seconds.
import { api, ApiError, newIdempotencyKey } from "/ui/common/api.js";
import { describe, showMessage } from "/ui/common/errors.js";
import { clock, createI18n } from "/ui/common/i18n.js";
import { connectLive } from "/ui/common/live.js";
import { pairWithToken } from "/ui/common/pairing.js";

const TOKEN_STORE = "hallq.pad.token";
const THANKS_MS = 6000;   // the thank-you screen, then back to what the window serves
const POLL_MS = 10000;    // besides the window's updates: a rating given elsewhere, a missed push
const LEVELS = [1, 2, 3, 4, 5];

const PHRASES = {
  zh: {
    title: "服务评价", windowBadge: "{window}号窗口",
    pairTitle: "评价器配对", pairHelp: "请管理员输入本评价器的设备令牌（hallq devices add 名称 --kind pad 生成），只需配对一次。",
    deviceToken: "设备令牌", pair: "配对", tokenMissing: "请先输入设备令牌。", badToken: "设备令牌无效，请核对后重新输入。",
    notPadToken: "这是其他设备的令牌，请输入评价器（pad）的设备令牌。", unpaired: "本评价器的设备令牌已失效，请联系管理员重新配对。",
    setupTitle: "评价器未设置窗口", noWindow: "请在地址中注明窗口号，例如 /rate?window=15。",
    welcome: "欢迎您来办事", idleHint: "办理结束后，请在此对本次服务进行评价。",
    window: "窗口", clerk: "工作人员", number: "本次服务号", windowValue: "{window}号", nobody: "—",
    prompt: "请您对本次服务作出评价", comment: "留言（选填）", commentHint: "您的意见和建议",
    level1: "非常满意", level2: "满意", level3: "基本满意", level4: "不满意", level5: "非常不满意",
    thanks: "感谢您的评价！", thanksDetail: "您对 {number} 号的评价：{label}", ratedAlready: "{number} 号已评价，感谢您的参与。",
    thanksHint: "我们会认真对待每一条评价。",
    reconnecting: "网络中断，正在重新连接…",
    r_already_rated: "这次服务已经评价过了，感谢您的参与。", r_nothing_to_rate: "当前没有可评价的服务，请在办理结束后评价。",
    r_ticket_not_served: "这个号还没有办理完，请在办理结束后评价。", r_rating_period_over: "已超过评价期限，无法再评价。",
    r_invalid_rating_level: "请选择一个评价等级。", r_invalid_channel: "评价器设置有误，请联系工作人员。",
    r_rating_target_required: "评价器设置有误，请联系工作人员。", r_no_such_window: "找不到本评价器所在的窗口，请联系管理员。",
    r_role_not_allowed: "这不是评价器的令牌，请联系管理员重新配对。",
  },
  en: {
    title: "Rate our service", windowBadge: "Window {window}",
    pairTitle: "Pair this rating pad", pairHelp: "An administrator enters this pad's device token (from hallq devices add NAME --kind pad), once.",
    deviceToken: "Device token", pair: "Pair", tokenMissing: "Enter the device token first.", badToken: "This device token is not valid; check it and try again.",
    notPadToken: "This token belongs to another kind of device; enter a rating pad's token.", unpaired: "This pad's token no longer works; ask the administrator to pair it again.",
    setupTitle: "No window set for this pad", noWindow: "Name the window in the address, e.g. /rate?window=15.",
    welcome: "Welcome", idleHint: "When your service ends, please rate it here.",
    window: "Window", clerk: "Served by", number: "Your number", windowValue: "{window}", nobody: "—",
    prompt: "How was our service?", comment: "Comment (optional)", commentHint: "Your comments and suggestions",
    level1: "Very satisfied", level2: "Satisfied", level3: "Fairly satisfied", level4: "Dissatisfied", level5: "Very dissatisfied",
    thanks: "Thank you for your rating!", thanksDetail: "Your rating of {number}: {label}", ratedAlready: "{number} has been rated. Thank you.",
    thanksHint: "Every rating is read and followed up.",
    reconnecting: "Connection lost; reconnecting…",
    r_already_rated: "This service has been rated already. Thank you.", r_nothing_to_rate: "There is no service to rate now; please rate when it ends.",
    r_ticket_not_served: "This number is not served yet; please rate when the service ends.", r_rating_period_over: "The time to rate this service is over.",
    r_invalid_rating_level: "Choose one of the levels.", r_invalid_channel: "This pad is not set up right; please tell the staff.",
    r_rating_target_required: "This pad is not set up right; please tell the staff.", r_no_such_window: "This pad's window does not exist; ask the administrator.",
    r_role_not_allowed: "This is not a rating pad's token; ask the administrator to pair it again.",
  },
};

const i18n = createI18n(PHRASES);
const t = i18n.t;
const $ = (id) => document.getElementById(id);
const windowNumber = (new URLSearchParams(location.search).get("window") || "").trim();

const state = {
  token: localStorage.getItem(TOKEN_STORE),
  target: null,         // GET /windows/{w}/rating-target
  key: null,            // one Idempotency-Key per ticket rated: a double tap stores one rating
  keyFor: null,
  thanksUntil: 0,
  thanks: null,         // {number, level}
  sending: false,
  link: null,
};

// What a refusal means to the citizen, by its reason (errors.js chooses; the page never reads it).
function sentences() {
  return {
    reasons: {
      already_rated: t("r_already_rated"), nothing_to_rate: t("r_nothing_to_rate"),
      ticket_not_served: t("r_ticket_not_served"), rating_period_over: t("r_rating_period_over"),
      invalid_rating_level: t("r_invalid_rating_level"), invalid_channel: t("r_invalid_channel"),
      rating_target_required: t("r_rating_target_required"), no_such_window: t("r_no_such_window"),
      role_not_allowed: t("r_role_not_allowed"), token_invalid: t("unpaired"), token_missing: t("unpaired"),
    },
    codes: { unauthorized: t("unpaired"), forbidden: t("r_role_not_allowed") },
  };
}

// ------------------------------------------------------------------ screens
function show(name) {
  for (const el of document.querySelectorAll(".screen")) el.hidden = el.id !== `screen-${name}`;
  document.body.dataset.screen = name;
}

function render() {
  $("window-badge").textContent = windowNumber ? t("windowBadge", { window: windowNumber }) : "";
  if (!windowNumber) {
    showMessage($("setup-message"), { text: t("noWindow") });
    return show("setup");
  }
  if (!state.token) return show("pair");
  if (Date.now() < state.thanksUntil && state.thanks) return renderThanks(state.thanks, true);
  const target = state.target;
  if (!target) return show("idle");
  if (!target.number) {
    $("idle-window").textContent = t("windowBadge", { window: target.window });
    $("idle-clerk").textContent = target.clerk ? `${t("clerk")} ${target.clerk}` : "";
    return show("idle");
  }
  if (target.rated) return renderThanks({ number: target.number, level: target.level }, false);
  $("rate-window").textContent = t("windowValue", { window: target.window });
  $("rate-clerk").textContent = target.clerk || t("nobody");
  $("rate-number").textContent = target.number;
  renderLevels();
  show("rate");
}

function renderLevels() {
  $("levels").replaceChildren(...LEVELS.map((level) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = `level level-${level}`;
    button.dataset.level = String(level);
    button.textContent = t(`level${level}`);  // the accessible name: 非常满意 … 非常不满意
    button.disabled = state.sending;
    button.addEventListener("click", () => rate(level));
    return button;
  }));
}

function renderThanks(thanks, justGiven) {
  const label = thanks.level ? t(`level${thanks.level}`) : "";
  $("thanks-detail").textContent = justGiven || !label
    ? t("thanksDetail", { number: thanks.number, label })
    : t("ratedAlready", { number: thanks.number });
  document.body.dataset.level = String(thanks.level || "");
  show("thanks");
}

// ------------------------------------------------------------------ the server
async function refresh() {
  if (!state.token || !windowNumber) return;
  try {
    const target = await api("GET", `/windows/${encodeURIComponent(windowNumber)}/rating-target`, { token: state.token });
    const changed = !state.target || state.target.ticket !== target.ticket;
    state.target = target;
    if (changed) {
      $("comment").value = "";
      showMessage($("rate-message"), null);
    }
    if (document.activeElement !== $("comment") || changed) render();
  } catch (err) {
    if (err instanceof ApiError && (err.code === "unauthorized" || err.code === "forbidden")) return unpair(err);
    if (err instanceof ApiError && err.code !== "network") {
      showMessage($("setup-message"), describe(err, i18n.lang, sentences()));
      show("setup");
    }
  }
}

async function rate(level) {
  const target = state.target;
  if (!target || !target.ticket || state.sending) return;
  if (state.keyFor !== target.ticket) {
    state.key = newIdempotencyKey();
    state.keyFor = target.ticket;
  }
  const comment = $("comment").value.trim();
  state.sending = true;
  renderLevels();
  try {
    const body = { window: windowNumber, level, channel: "pad", ...(comment ? { comment } : {}) };
    const { rating } = await api("POST", "/ratings", { token: state.token, idempotencyKey: state.key, body });
    state.thanks = { number: rating.number, level: rating.level };
    state.thanksUntil = Date.now() + THANKS_MS;
    state.target = { ...target, rated: true, level: rating.level };
    $("comment").value = "";
    showMessage($("rate-message"), null);
    render();
    setTimeout(() => { state.thanksUntil = 0; refresh(); render(); }, THANKS_MS);
  } catch (err) {
    if (err instanceof ApiError && err.code === "unauthorized") return unpair(err);
    showMessage($("rate-message"), describe(err, i18n.lang, sentences()));
    await refresh();  // rated meanwhile, or another ticket now: show what is true
  } finally {
    state.sending = false;
    if (document.body.dataset.screen === "rate") renderLevels();
  }
}

function unpair(err) {
  state.token = null;
  localStorage.removeItem(TOKEN_STORE);
  showMessage($("pair-message"), describe(err, i18n.lang, sentences()));
  render();
}

function pair(event) {
  event.preventDefault();
  return pairWithToken({
    storeKey: TOKEN_STORE, lang: i18n.lang, say: t,
    refusal: (me) => (me.kind === "device" && me.role === "pad" ? null : t("notPadToken")),
    paired: (token) => { state.token = token; follow(); },
  });
}

// The window's changes (a call, a finish) come over /display; each one re-reads the target.
function follow() {
  render();
  refresh();
  if (state.link || !windowNumber) return;
  state.link = connectLive("/display", {
    auth: { window: windowNumber },
    on: { snapshot: refresh, window_updated: refresh },
    // Only a lost link is news: the first connect after a start is not "reconnecting".
    onStatus: (status) => { $("link").hidden = status !== "down"; $("link").textContent = t("reconnecting"); },
  });
}

let hallTimeZone;  // GET /catalog's hall.timezone
function tick() {
  const now = clock(i18n.lang, hallTimeZone);  // the hall's time, not the pad's
  $("clock").textContent = now.time.slice(0, 5);
}

function start() {
  i18n.apply();
  i18n.bindSwitch($("lang"));
  i18n.onChange(() => { render(); tick(); });
  $("pair-form").addEventListener("submit", pair);
  api("GET", "/catalog").then((c) => { $("hall-name").textContent = c.hall.name; hallTimeZone = c.hall.timezone; tick(); }).catch(() => {});
  tick();
  setInterval(tick, 1000);
  setInterval(refresh, POLL_MS);
  if (state.token) follow(); else render();
}

start();
