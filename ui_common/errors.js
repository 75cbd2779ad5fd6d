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

// ---- 预约、身份证、限号、过号顺延 (contract v2 "Appointments, identity, quotas"; issue 11) ----
// One block, so that a page of the kiosk and the staff's pages say the same; a page's own table still
// comes first (the kiosk speaks to the citizen as 您, these suit staff reading them out as well).
const BOOKING = {
  zh: {
    reasons: {
      invalid_id_number: "身份证号码有误（应为18位，最后一位校验码须正确），请核对后重新输入。",
      id_daily_limit: (d) => (d.limit ? `该身份证今天已取号 ${d.limit} 次，达到本大厅每日上限。` : "该身份证今天的取号次数已达本大厅每日上限。"),
      quota_reached: "该队列今日号源已满，请改日再来或预约其他时段。",
      slot_full: "该时段已约满，请选择其他时段。",
      slot_passed: "该时段已开始或已过，请选择之后的时段。",
      too_far_ahead: (d) => (d.last ? `预约只能提前数个工作日，最晚可约到 ${d.last}。` : "超出可预约的日期范围，请选择更近的日期。"),
      not_a_working_day: "所选日期不是工作日，大厅不办理预约。",
      matter_takes_no_bookings: "该事项不接受预约，请现场取号。",
      id_banned: (d) => (d.until ? `该身份证因多次爽约暂停预约，${d.until} 起可再预约。` : "该身份证因多次爽约暂停预约。"),
      id_limit: "该身份证在这一天（或这一周）的预约已达上限。",
      appointment_too_early: (d) => (d.from ? `还没到签到时间，请于 ${d.from} 后签到。` : "还没到签到时间，请稍后再签到。"),
      appointment_missed: "已过签到时间，该预约已作爽约处理，请现场取号。",
      appointment_cancelled: "该预约已取消。",
      appointment_checked_in: "该预约已签到取号，无需再次签到。",
      appointment_not_today: (d) => (d.date ? `该预约是 ${d.date} 的，请当天来签到。` : "该预约不是今天的，请在预约当天签到。"),
      no_such_appointment: "找不到这个预约码，请核对短信中的6位预约码。",
      no_appointment_for_id: "该身份证今天没有预约。",
      not_a_no_show: "只有已过号的号票才能过号顺延。",
      requeue_expired: "过号时间太久，不能再顺延，请重新取号。",
      already_requeued: "该号已顺延过一次，不能再顺延，请重新取号。",
      no_such_slot: "没有这个预约时段，请从可选时段中选择。",
      invalid_date: "日期格式应为 年-月-日（如 2026-11-02）。",
      appointment_of_other_booker: "只能取消本平台提交的预约。",
    },
  },
  en: {
    reasons: {
      invalid_id_number: "The ID number is not valid (18 characters, the last a correct check digit); check it and try again.",
      id_daily_limit: (d) => (d.limit ? `This ID card has taken ${d.limit} ticket(s) today, the most the hall allows.` : "This ID card has taken as many tickets today as the hall allows."),
      quota_reached: "Today's tickets for this queue are all gone (daily quota reached).",
      slot_full: "That slot is fully booked; choose another.",
      slot_passed: "That slot has begun or passed; choose a later one.",
      too_far_ahead: (d) => (d.last ? `That is too far ahead; the last bookable day is ${d.last}.` : "That day is too far ahead to book."),
      not_a_working_day: "The hall takes no bookings on that day (not a working day).",
      matter_takes_no_bookings: "This matter takes no bookings; take a ticket at the hall.",
      id_banned: (d) => (d.until ? `This ID missed too many bookings and may book again from ${d.until}.` : "This ID missed too many bookings and may not book for now."),
      id_limit: "This ID holds as many bookings for that day (or week) as the hall allows.",
      appointment_too_early: (d) => (d.from ? `Check-in is not open yet; come back from ${d.from}.` : "Check-in is not open yet."),
      appointment_missed: "Check-in has closed; the booking is missed. Take a walk-in ticket.",
      appointment_cancelled: "The booking was cancelled.",
      appointment_checked_in: "The booking is checked in already.",
      appointment_not_today: (d) => (d.date ? `The booking is for ${d.date}; check in on that day.` : "The booking is for another day."),
      no_such_appointment: "No booking has this code; check the 6 digits in the booking message.",
      no_appointment_for_id: "This ID card holds no booking for today.",
      not_a_no_show: "Only a ticket marked as a no-show can be re-queued.",
      requeue_expired: "The no-show was too long ago to re-queue; take a new ticket.",
      already_requeued: "The ticket was re-queued once already; take a new ticket.",
      no_such_slot: "There is no such slot; choose one of the offered times.",
      invalid_date: "A date is written YYYY-MM-DD (such as 2026-11-02).",
      appointment_of_other_booker: "A platform cancels only the bookings it made.",
    },
  },
};
// ---- end of 预约 block ----

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
      // 账号与设备管理 (issue 14)
      unknown_user: "找不到这个账号（可能已被删除），请刷新账号列表。",
      unknown_device: "找不到这台设备，请刷新设备列表。",
      wrong_password: "当前密码不正确，密码未修改。",
      password_unchanged: "新密码不能与当前密码相同。",
      own_account: "不能停用或删除自己正在使用的账号，请由其他管理员或在服务器命令行操作。",
      invalid_address: "请输入有效的IP地址（如 10.0.0.5）。",
      password_too_short: "密码至少需要8个字符。",
      too_many_attempts: "登录失败次数过多，请稍等片刻再试，或请管理员解锁。",
      control_characters: "内容中含有不可见的控制字符，请删除后重新输入。",
      invalid_name: "姓名（名称）不能为空，不能超长，不能含有不可见字符或改变文字方向的字符，首尾不能有空格。",
      invalid_phone: "电话号码有误：请填写11位手机号，或带区号的固定电话（如 0731-88888888）。",
      invalid_path_parameter: "地址中的编号格式有误，请从列表中重新选择。",
      too_many_requests: "请求过于频繁，请稍候几秒再试。",
      invalid_display_name: "显示名称（如“工号 0123 张三”）须为1至40个可显示字符，首尾不能有空格。",
      // 补打 (issue 13)
      printer_down: (d) => (d.printer ? `打印机 ${d.printer} 现在无法打印（缺纸、离线或故障），请处理后再补打，或改用其他打印机。` : "打印机现在无法打印（缺纸、离线或故障），请处理后再补打。"),
      no_printer: "没有可用的打印机：请在设备列表中选择一台打印机。",
      ...BOOKING.zh.reasons,
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
      unknown_user: "There is no such account (it may have been removed); reload the list.",
      unknown_device: "There is no such device; reload the list.",
      wrong_password: "The current password is wrong; nothing was changed.",
      password_unchanged: "The new password must differ from the current one.",
      own_account: "You cannot disable or remove the account you are signed in with; ask another admin or use the command line.",
      invalid_address: "Enter a valid IP address (such as 10.0.0.5).",
      password_too_short: "A password has at least 8 characters.",
      too_many_attempts: "Too many failed sign-ins; wait a moment and try again, or ask the admin to unlock.",
      control_characters: "The text holds invisible control characters; remove them and try again.",
      invalid_name: "A name must not be empty or too long, hold invisible or direction-changing characters, or start or end with a blank.",
      invalid_phone: "The phone number is not valid: an 11-digit mobile, or a landline with its area code (such as 0731-88888888).",
      invalid_path_parameter: "An id in the address is malformed; choose it again from the list.",
      too_many_requests: "Too many requests at once; wait a few seconds and try again.",
      invalid_display_name: "A display name (e.g. \"工号 0123 张三\") has 1 to 40 printable characters, without leading or trailing spaces.",
      // 补打 (issue 13)
      printer_down: (d) => (d.printer ? `The printer ${d.printer} cannot print now (out of paper, offline or in error); mend it and reprint, or choose another printer.` : "The printer cannot print now (out of paper, offline or in error); mend it and reprint."),
      no_printer: "No printer fits: choose a printer from the device list.",
      ...BOOKING.en.reasons,
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

/**
 * describe(), with the server's own words kept only on an English page (they are English): a Chinese
 * page shows its Chinese sentence alone, never a Chinese line over an English one (issue 13).
 */
export function describeInLanguage(err, lang, context = {}) {
  const said = describe(err, lang, context);
  return lang === "en" ? said : { text: said.text, detail: "" };
}

/** Whether the server refused for one of `reasons`: for a page that acts on a refusal (a stale tab
 * locks itself); its words still come from describe(). */
export function refusedFor(err, ...reasons) {
  return Boolean(err && err.reason && reasons.includes(err.reason));
}
