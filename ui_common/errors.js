// Every refusal the API can give, as a sentence a person can act on. The sentence is chosen by the
// refusal's `reason` (the rule that refused), then its `code`, never by the wording of the server's
// `message`: that wording may change at any time. The server's own sentence follows as small detail
// for staff.
const GENERAL = {
  zh: {
    network: "无法连接服务器，请检查网络后重试。",
    invalid: "提交的内容有误，请检查后重试。",
    unauthorized: "登录已失效或令牌无效，请重新登录。",
    forbidden: "您没有权限执行此操作。",
    not_found: "找不到要操作的对象。",
    conflict: "当前状态下不能执行此操作。",
    queue_empty: "当前没有等候的号。",
    unavailable: "服务暂时不可用，请稍后再试。",
  },
  en: {
    network: "The server cannot be reached; check the network and try again.",
    invalid: "Something in the request is not right; check it and try again.",
    unauthorized: "Your sign-in has expired or the token is not valid; sign in again.",
    forbidden: "You are not allowed to do this.",
    not_found: "What you asked for was not found.",
    conflict: "This cannot be done in the current state.",
    queue_empty: "No ticket is waiting.",
    unavailable: "The service is unavailable for the moment; try again shortly.",
  },
};

// Sentences for refusals that mean the same on every page (the 电子监察 half of contract v2). A page's
// own table still comes first; these come before its sentence for the code.
const SHARED = {
  zh: {
    reasons: {
      unknown_pause_reason: (d) => (Array.isArray(d.reasons) && d.reasons.length
        ? `请从本大厅的暂停原因中选择一个：${d.reasons.join("、")}。` : "请从本大厅设定的暂停原因中选择一个。"),
      alert_already_acknowledged: "这条告警已由其他人处理过，列表已更新，无需再次处理。",
      no_such_alert: "找不到这条告警（可能已被清除），请刷新告警列表。",
      note_required: "请填写处理说明，写明做了什么或原因。",
      no_such_follow_up: "找不到这条回访整改记录，请刷新列表。",
      follow_up_step_not_allowed: "这条回访整改的当前状态不允许这一步，请刷新后按流程操作。",
      invalid_follow_up_action: "回访整改的操作只能是联系、整改、办结、申诉、维持或撤销。",
    },
  },
  en: {
    reasons: {
      unknown_pause_reason: (d) => (Array.isArray(d.reasons) && d.reasons.length
        ? `Choose one of the pause reasons this hall allows (${d.reasons.join(", ")}).` : "Choose one of the hall's pause reasons."),
      alert_already_acknowledged: "Someone has already acknowledged this alert; the list is up to date, nothing more to do.",
      no_such_alert: "This alert no longer exists (it may have cleared); reload the alerts.",
      note_required: "Write a note saying what was done, or why.",
      no_such_follow_up: "This follow-up no longer exists; reload the list.",
      follow_up_step_not_allowed: "This follow-up cannot take that step in its current state; reload and follow the steps.",
      invalid_follow_up_action: "A follow-up step is contact, fix, close, appeal, uphold or remove.",
    },
  },
};

/**
 * A page's own sentences: `reasons` first (keys: the server's snake_case reasons, see
 * server/domain/errors.py), then the shared sentences above (SHARED), then `codes` (the contract's
 * codes, plus "network"). A sentence is a string, or a function (detail, err) => string for one
 * that shows values from `err.detail` (e.g. (d) => t("caseHasTicket", { number: d.number })); an
 * empty answer falls through to the next choice, so a function can decline when the value it needs is missing.
 *
 * @param err an ApiError, a Socket.IO error body ({code, reason, message, detail}), or any error
 * @param lang "zh" | "en"
 * @param context optional {reasons: {reason: sentence}, codes: {code: sentence}}, in `lang`
 * @returns {{text: string, detail: string}} the sentence, and the server's words when they add something
 */
export function describe(err, lang, context = {}) {
  const code = err && err.code ? err.code : "unavailable";
  const facts = (err && err.detail) || {};
  const pick = (table, key) => {
    const sentence = key && table && Object.hasOwn(table, key) ? table[key] : undefined;
    return typeof sentence === "function" ? sentence(facts, err) : sentence;
  };
  const shared = (SHARED[lang] || SHARED.zh).reasons;
  const own = pick(context.reasons, err && err.reason) || pick(shared, err && err.reason) || pick(context.codes, code);
  const serverSaid = err && err.code && err.code !== "network" ? (err.message || "") : "";
  if (own) return { text: own, detail: serverSaid };
  // In English the server's own sentence says more than the general one (when it is the server's).
  if (lang === "en" && serverSaid && !err.local) return { text: serverSaid, detail: "" };
  return { text: (GENERAL[lang] || GENERAL.zh)[code] || GENERAL.zh.unavailable, detail: serverSaid };
}

/** Show a sentence in a role="alert" element; `kind` is "error" or "info". */
export function showMessage(el, message, kind = "error") {
  el.replaceChildren();
  if (!message) { el.hidden = true; return; }
  el.hidden = false;
  el.dataset.kind = kind;
  const text = document.createElement("span");
  text.className = "message-text";
  text.textContent = message.text ?? message;
  el.append(text);
  if (message.detail) {
    const detail = document.createElement("small");
    detail.className = "message-detail";
    detail.textContent = message.detail;
    el.append(detail);
  }
}
