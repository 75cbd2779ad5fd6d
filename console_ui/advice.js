// 调度建议 on the admin board: the staffing model's moves (GET /advice, best first), each with the window,
// its queues before → after, the expected change of the hall's mean wait and the server's reason, and for
// the admin a one-tap 应用 that sets the window's queues (PUT /windows/{w}/queues, the queue editor's own
// command). A supervisor reads the panel without the button. Re-read every minute and, a moment after
// they settle, whenever windows change (docs/waits.md "Staffing advice").
import { describeInLanguage as describe, showMessage } from "/ui/common/errors.js";
import { listed } from "/ui/common/i18n.js";

const ADVICE_REFRESH_MS = 60000;
const SETTLE_MS = 1500;  // a burst of window pushes (a clerk calling) re-reads the advice once

export const ADVICE_PHRASES = {
  zh: {
    advice: "调度建议", noAdvice: "当前人员安排合理，暂无调度建议。", apply: "应用", adviceWindow: "{window}号窗口",
    adviceChange: "预计大厅平均等候缩短 {minutes} 分钟", adviceHall: "大厅平均等候预计 {minutes} 分钟",
    adviceOpens: "让{queue}有窗口优先办理", adviceUnserved: "暂无窗口办理：{queues}",
    adviceUnservedQueue: "{queue}（近一小时 {arrivals} 人，等候 {waiting} 人）",
    whyGain: "{queue} 近一小时到达 {arrivals} 人、等候 {waiting} 人，预计平均等候 {before}→{after} 分钟",
    whyOpens: "{queue} 近一小时到达 {arrivals} 人、等候 {waiting} 人，{nobody}，改后预计平均等候 {after} 分钟",
    nobodyAtAll: "暂无窗口办理", nobodyFirst: "暂无窗口优先办理",
    whyLoses: "；{queue} {before}→{after} 分钟", whyIdle: "；该窗口原队列暂无人办理",
    adviceApplied: "已将 {window}号窗口改为：{queues}。", notApplier: "调整窗口队列需要管理员账号。",
  },
  en: {
    advice: "Staffing advice", noAdvice: "Staffing fits the demand; no move is advised.", apply: "Apply",
    adviceWindow: "Window {window}", adviceChange: "hall mean wait {minutes} min shorter", adviceHall: "Hall mean wait about {minutes} min",
    adviceOpens: "gives {queue} a window serving it first", adviceUnserved: "No window serving: {queues}",
    adviceUnservedQueue: "{queue} ({arrivals} in the last hour, {waiting} waiting)",
    whyGain: "{queue}: {arrivals} in the last hour, {waiting} waiting; mean wait expected {before}→{after} min",
    whyOpens: "{queue}: {arrivals} in the last hour, {waiting} waiting; {nobody}; mean wait expected {after} min after the move",
    nobodyAtAll: "no window serving it", nobodyFirst: "no window serving it first",
    whyLoses: "; {queue} {before}→{after} min", whyIdle: "; the window's own queues have nobody waiting",
    adviceApplied: "Window {window} now serves: {queues}.", notApplier: "Changing a window's queues needs an admin account.",
  },
};

export function createAdvicePanel({ session, i18n, message, onRefused, canApply, queueName, onApplied }) {
  const t = i18n.t;
  const $ = (id) => document.getElementById(id);
  const state = { advice: [], hallWait: null, unserved: [], timer: null, settle: null };

  async function load() {
    const answer = await session.call("GET", "/advice");
    state.advice = answer.advice;
    state.hallWait = answer.hall_mean_wait_min;
    state.unserved = answer.unserved_queues;
    render();
  }

  function reload() { load().catch(refused); }

  function refused(err) {
    if (err.code === "unauthorized") { onRefused(); return; }
    showMessage(message, describe(err, i18n.lang, { reasons: { role_not_allowed: t("notApplier") } }));
  }

  async function apply(move) {
    try {
      const answer = await session.call("PUT", `/windows/${move.window}/queues`, { body: { queues: move.to_queues } });
      onApplied(answer.window);
      showMessage(message, { text: t("adviceApplied", { window: move.window, queues: answer.window.queues.map(queueName).join(" › ") }) }, "info");
      await load();
    } catch (err) {
      refused(err);
    }
  }

  // The move's reason in the board's language, from the answer's figures (the server's `why` is the same
  // sentence in Chinese: both round the answer's tenths half up, staffing.whole_minutes).
  function reason(move) {
    const whole = (minutes) => Math.floor(minutes + 0.5);
    const gaining = { queue: queueName(move.queue), arrivals: move.arrivals, waiting: move.waiting,
                      before: whole(move.from_wait_min), after: whole(move.to_wait_min) };
    const nobodyServes = state.unserved.some((q) => q.queue === move.queue);
    const first = move.opens_queue
      ? t("whyOpens", { ...gaining, nobody: t(nobodyServes ? "nobodyAtAll" : "nobodyFirst") })
      : t("whyGain", gaining);
    if (move.losing_queue === null) return first + t("whyIdle");
    return first + t("whyLoses", { queue: queueName(move.losing_queue), before: whole(move.losing_from_wait_min),
                                    after: whole(move.losing_to_wait_min) });
  }

  function row(move) {
    const item = document.createElement("li");
    item.className = "advice-item";
    item.dataset.window = move.window;
    const head = document.createElement("div");
    head.className = "advice-head";
    const who = document.createElement("strong");
    who.textContent = t("adviceWindow", { window: move.window });
    const queues = document.createElement("span");
    queues.className = "advice-queues";
    queues.textContent = `${move.from_queues.map(queueName).join(" › ")} → ${move.to_queues.map(queueName).join(" › ")}`;
    const change = document.createElement("span");
    change.className = "advice-change";
    // A move that gives a queue its first window is worth more than any minutes: the model counts that
    // queue's people a hall day, so its change in minutes would only mislead.
    change.textContent = move.opens_queue
      ? t("adviceOpens", { queue: queueName(move.queue) })
      : t("adviceChange", { minutes: Math.abs(move.expected_wait_change_min).toFixed(1) });
    head.append(who, queues, change);
    if (canApply()) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "primary";
      button.textContent = t("apply");
      button.setAttribute("aria-label", `${t("apply")} ${t("adviceWindow", { window: move.window })}`);
      button.addEventListener("click", () => { button.disabled = true; apply(move).finally(() => { button.disabled = false; }); });
      head.append(button);
    }
    const why = document.createElement("p");
    why.className = "advice-why";
    why.textContent = reason(move);
    item.append(head, why);
    return item;
  }

  function render() {
    $("advice-list").replaceChildren(...state.advice.map(row));
    $("no-advice").hidden = state.advice.length > 0;
    $("advice-hall").hidden = state.hallWait === null;
    if (state.hallWait !== null) $("advice-hall").textContent = t("adviceHall", { minutes: state.hallWait.toFixed(1) });
    $("advice-unserved").hidden = state.unserved.length === 0;
    $("advice-unserved").textContent = t("adviceUnserved", {
      queues: listed(i18n.lang, state.unserved.map((q) => t("adviceUnservedQueue", { queue: queueName(q.queue), arrivals: q.arrivals, waiting: q.waiting }))),
    });
  }

  return {
    render,
    reload,
    async start() {
      await load().catch(refused);
      clearInterval(state.timer);
      state.timer = setInterval(reload, ADVICE_REFRESH_MS);
    },
    stop() { clearInterval(state.timer); clearTimeout(state.settle); state.timer = null; },
    /** A window changed (`window_updated`): re-read once the burst settles. */
    windowsChanged() {
      if (state.timer === null) return;
      clearTimeout(state.settle);
      state.settle = setTimeout(reload, SETTLE_MS);
    },
  };
}
