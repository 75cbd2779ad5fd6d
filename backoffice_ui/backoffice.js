// The back-office desk (/backoffice): sign in, follow the department's inbox live, claim, decide, ask
// for materials (补正) and return results to the window. Everything goes through /api/v1 and the
// /backoffice namespace; pushed cases carry their data, so the list updates in place.
import { newIdempotencyKey } from "/ui/common/api.js";
import { describeInLanguage as describe, showMessage } from "/ui/common/errors.js";
import { createI18n, hallDate, useHallZone } from "/ui/common/i18n.js";
import { connectLive } from "/ui/common/live.js";
import { SIGNIN_PHRASES, StaffSession, loginRefusal } from "/ui/console/signin.js";
import { STALE_PHRASES, createStaleGuard } from "/ui/console/stale-tab.js";

const PHRASES = {
  zh: {
    ...SIGNIN_PHRASES.zh, ...STALE_PHRASES.zh,
    title: "后台审批", signinTitle: "后台审批人员登录", notBackoffice: "此账号不是后台审批账号，请用后台审批账号登录。",
    statusFilter: "状态", all: "全部", inbox: "待办件", empty: "暂无办件", detail: "办件详情",
    connecting: "连接中…", connected: "已连接", reconnecting: "连接中断，正在重连…",
    colNumber: "办件号", colMatter: "事项", colApplicant: "申请人", colWindow: "受理窗口", colReviews: "部门意见",
    colDue: "办结时限", colStatus: "状态", windowNo: "{n}号窗口",
    status_in_review: "审查中", status_approved: "已批准", status_rejected: "不予批准", status_ready_for_pickup: "待取件", status_picked_up: "已出件",
    review_pending: "待认领", review_claimed: "办理中", review_awaiting_materials: "待补正", review_approved: "同意", review_rejected: "不同意",
    deadline_on_time: "正常", deadline_due_soon: "即将到期", deadline_overdue: "已超期",
    dueDecided: "{date} 到期（{state}）", dueStopped: "{date} 到期（补正中，计时暂停）", dueLeft: "{date} 到期（剩余 {span}）",
    dueLate: "{date} 到期（已超期 {span}）", span: "{d}天{h}小时",
    factStatus: "状态", factApplicant: "申请人", factAccepted: "受理", factDue: "办结时限", factMaterials: "申请材料",
    factSupplements: "补正材料", factNote: "窗口备注", factMine: "本部门", factAll: "各部门", none: "无",
    note: "备注", supplementsAsked: "补正材料", materialsHint: "多项用逗号分隔",
    claim: "认领", approve: "批准", reject: "不予批准", request: "要求补正", return: "退回窗口", history: "办理记录",
    step_routed: "窗口受理并分送", step_claimed: "认领", step_approved: "同意", step_rejected: "不同意", step_materials_requested: "要求补正",
    step_materials_received: "窗口收到补正材料", step_decided: "审批完成", step_returned: "结果退回窗口", step_picked_up: "已取件",
    step_mailed: "已邮寄", step_due_soon: "即将到期告警", step_overdue: "超期告警",
    needReason: "不予批准需要在备注里写明理由（会告知申请人）。", needMaterials: "请在“补正材料”里写明要补的材料。",
    changed: "该办件已由本部门其他人员认领，或状态已变化；列表已更新。", notDecided: "各部门都审批完成后才能退回窗口。",
    claimedByOther: "该办件已由本部门其他人员认领，只有认领人可以办理。", alreadyDecided: "本部门已审批过这个办件。",
    awaitingMaterials: "该办件正在等待补正材料，窗口收到材料后才能审批。", alreadyRequested: "本部门已要求补正，正在等待材料。",
    notInReview: "该办件已不在审批中。", alreadyReturned: "该办件的结果已退回窗口。",
    notYours: "该办件不涉及您的部门，不能办理。", gone: "找不到这个办件。",
  },
  en: {
    ...SIGNIN_PHRASES.en, ...STALE_PHRASES.en,
    title: "Back office", signinTitle: "Back-office sign-in", notBackoffice: "This account is not a back-office account; sign in with one.",
    statusFilter: "Status", all: "All", inbox: "Inbox", empty: "No cases", detail: "Case details",
    connecting: "Connecting…", connected: "Connected", reconnecting: "Connection lost; reconnecting…",
    colNumber: "Case", colMatter: "Matter", colApplicant: "Applicant", colWindow: "Accepted at", colReviews: "Departments",
    colDue: "Due", colStatus: "Status", windowNo: "window {n}",
    status_in_review: "In review", status_approved: "Approved", status_rejected: "Refused", status_ready_for_pickup: "Ready for pickup", status_picked_up: "Handed out",
    review_pending: "Unclaimed", review_claimed: "In hand", review_awaiting_materials: "Awaiting materials", review_approved: "Approved", review_rejected: "Refused",
    deadline_on_time: "on time", deadline_due_soon: "due soon", deadline_overdue: "overdue",
    dueDecided: "due {date} ({state})", dueStopped: "due {date} (awaiting materials, clock stopped)", dueLeft: "due {date} ({span} left)",
    dueLate: "due {date} (overdue by {span})", span: "{d} d {h} h",
    factStatus: "Status", factApplicant: "Applicant", factAccepted: "Accepted", factDue: "Due", factMaterials: "Materials",
    factSupplements: "Supplements", factNote: "Window's note", factMine: "My department", factAll: "Departments", none: "none",
    note: "Note", supplementsAsked: "Materials to supply", materialsHint: "separate several with commas",
    claim: "Claim", approve: "Approve", reject: "Refuse", request: "Ask for materials", return: "Return to window", history: "History",
    step_routed: "accepted and routed", step_claimed: "claimed", step_approved: "approved", step_rejected: "refused", step_materials_requested: "materials asked",
    step_materials_received: "materials received", step_decided: "decided", step_returned: "returned to the window", step_picked_up: "picked up",
    step_mailed: "mailed", step_due_soon: "due-soon alert", step_overdue: "overdue alert",
    needReason: "A refusal needs a reason in the note (the applicant is told).", needMaterials: "Name the materials to supply.",
    changed: "Someone else in your department has this case, or it changed; the list is up to date.", notDecided: "Every department must decide before the result goes back.",
    claimedByOther: "Another member of your department has claimed this case; only they can act on it.",
    alreadyDecided: "Your department has already decided this case.",
    awaitingMaterials: "This case waits for materials; decide once the window has recorded them.",
    alreadyRequested: "Your department has already asked for materials; they are awaited.",
    notInReview: "This case is no longer in review.", alreadyReturned: "This case's result has already gone back to the window.",
    notYours: "This case does not involve your department.", gone: "This case was not found.",
  },
};

const i18n = createI18n(PHRASES);
const t = i18n.t;
const $ = (id) => document.getElementById(id);
const session = new StaffSession("hallq.backoffice");
const cases = new Map();
const state = { me: null, departments: {}, socket: null, selected: null, selectedCase: null, history: [] };
// A stale desk (its sign-in ended elsewhere): 请重新登录, its controls disabled until signed in again.
const stale = createStaleGuard({ banner: $("stale"), working: $("working"), also: () => [$("sign-out")], i18n, onSignIn: () => leave(true) });

const when = (iso) => (iso ? hallDate(iso, i18n.lang, true) : "");
const day = (iso) => hallDate(iso, i18n.lang);

function countdown(c) {
  const ms = Date.parse(c.due_at) - Date.now();
  const hours = Math.floor(Math.abs(ms) / 3600000);
  const span = t("span", { d: Math.floor(hours / 24), h: hours % 24 });
  const date = day(c.due_at);
  if (c.status !== "in_review") return t("dueDecided", { date, state: t(`deadline_${c.deadline}`) });
  if (c.clock_stopped) return t("dueStopped", { date });
  return t(ms < 0 ? "dueLate" : "dueLeft", { date, span });
}

function cell(tag, content, className) {
  const node = document.createElement(tag);
  node.textContent = content == null ? "" : String(content);
  if (className) node.className = className;
  return node;
}

const reviewText = (d) => `${d.name}：${t(`review_${d.status}`)}`;

// ------------------------------------------------------------------ sign-in
async function signIn(event) {
  event.preventDefault();
  const message = $("sign-in-message");
  const username = $("username").value.trim();
  const password = $("password").value;
  if (!username || !password) { showMessage(message, { text: t("needCredentials") }); return; }
  try {
    const who = await session.login(username, password);
    if (who.role !== "backoffice") { await session.logout(); showMessage(message, { text: t("notBackoffice") }); return; }
    $("password").value = "";
    showMessage(message, null);
    await enter();
  } catch (err) {
    showMessage(message, loginRefusal(err, i18n));
  }
}

async function signOut() {
  await session.logout();
  leave();
}

/** The sign-in has ended elsewhere: the desk stays in view, its controls disabled, until 重新登录. */
function expire() {
  if (state.socket) state.socket.disconnect();
  session.forget();
  stale.mark();
}

function leave(expired = false) {
  stale.clear();
  session.forget();
  state.me = null;
  if (state.socket) state.socket.disconnect();
  state.socket = null;
  cases.clear();
  state.selected = state.selectedCase = null;
  $("desk").hidden = true;
  $("detail").hidden = true;
  $("sign-in").hidden = false;
  $("sign-out").hidden = true;
  $("link").hidden = true;
  $("who").textContent = "";
  $("username").value = session.username || "";
  showMessage($("sign-in-message"), expired ? { text: t("expired") } : null);
}

async function enter() {
  try {
    state.me = await session.me();
    const catalog = await session.call("GET", "/catalog");
    useHallZone(catalog.hall.timezone);
    state.departments = Object.fromEntries(catalog.departments.map((d) => [d.code, d]));
  } catch (err) {
    leave(err.code === "unauthorized");
    return;
  }
  renderWho();
  $("sign-in").hidden = true;
  $("sign-out").hidden = false;
  $("desk").hidden = false;
  stale.clear();
  connect();
}

function renderWho() {
  if (!state.me) return;
  $("who").textContent = `${state.me.name} · ${i18n.named(state.departments[state.me.department]) || state.me.department}`;
}

// ------------------------------------------------------------------ live inbox
function connect() {
  state.socket = connectLive("/backoffice", {
    auth: { token: session.token },
    on: {
      connect: load,  // after every (re)connect: what happened while away
      case_routed: upsert,
      case_updated: upsert,
    },
    onStatus: (status, error) => {
      const connection = $("connection");
      connection.dataset.state = status;
      connection.textContent = t(status === "up" ? "connected" : status === "connecting" ? "connecting" : "reconnecting");
      $("link").hidden = status !== "down" || stale.isStale();
      $("link").textContent = t("reconnecting");
      if (error && error.error && error.error.code === "unauthorized") expire();
    },
  });
  stale.watch(state.socket, () => session.me());
}

async function load() {
  const status = $("status-filter").value;
  try {
    const list = await session.call("GET", `/cases${status ? `?status=${status}` : ""}`);
    cases.clear();
    for (const c of list) cases.set(c.id, c);
    render();
  } catch (err) {
    if (err.code === "unauthorized") expire();
  }
}

function upsert(c) {
  const status = $("status-filter").value;
  if (status && c.status !== status) cases.delete(c.id); else cases.set(c.id, c);
  render();
  if (state.selected === c.id) {
    state.selectedCase = c;
    showDetail(true);
  }
}

function render() {
  const list = [...cases.values()].sort((a, b) => a.due_at.localeCompare(b.due_at));
  $("inbox").replaceChildren(...list.map((c) => {
    const row = document.createElement("tr");
    row.dataset.id = c.id;
    if (c.id === state.selected) row.className = "selected";
    row.append(
      cell("td", c.number),
      cell("td", c.matter_name),
      cell("td", `${c.applicant.name} ${c.applicant.phone}`),
      cell("td", t("windowNo", { n: c.window })),
      cell("td", c.departments.map(reviewText).join("；")),
      cell("td", countdown(c), c.status === "in_review" ? c.deadline : ""),
      cell("td", t(`status_${c.status}`)),
    );
    row.addEventListener("click", () => openCase(c.id));
    return row;
  }));
  $("empty").hidden = list.length > 0;
}

// ------------------------------------------------------------------ one case
function openCase(id) {
  state.selected = id;
  state.selectedCase = cases.get(id);
  showMessage($("action-message"), null);
  render();
  showDetail(true);
}

async function showDetail(withHistory) {
  const c = state.selectedCase;
  if (!c) return;
  $("detail").hidden = false;
  $("detail-title").textContent = `${c.number} · ${c.matter_name}`;
  const review = c.departments.find((d) => d.code === state.me.department);
  $("detail-facts").replaceChildren(...[
    ["factStatus", t(`status_${c.status}`)],
    ["factApplicant", `${c.applicant.name}（${c.applicant.phone}）`],
    ["factAccepted", `${t("windowNo", { n: c.window })} ${when(c.accepted_at)}`],
    ["factDue", countdown(c)],
    ["factMaterials", c.materials.join("、")],
    ["factSupplements", c.supplements.join("、") || t("none")],
    ["factNote", c.note || ""],
    ["factMine", review ? t(`review_${review.status}`) + (review.claimed_by ? `（${review.claimed_by}）` : "") : ""],
    ["factAll", c.departments.map((d) => reviewText(d) + (d.note ? `（${d.note}）` : "")).join("；")],
  ].flatMap(([key, value]) => [cell("dt", t(key)), cell("dd", value)]));
  const open = c.status === "in_review" && review && ["pending", "claimed"].includes(review.status)
    && (!review.claimed_by || review.claimed_by === state.me.name);
  const allowed = {
    claim: c.status === "in_review" && review && review.status === "pending",
    approve: open, reject: open, request: open,
    return: c.status === "approved" || c.status === "rejected",
  };
  for (const button of document.querySelectorAll("#detail [data-action]")) button.disabled = !allowed[button.dataset.action];
  if (withHistory) {
    try {
      const full = await session.call("GET", `/cases/${c.id}`);
      if (state.selected !== c.id) return;
      state.history = full.case.history;
    } catch { /* the list still shows the case */ }
  }
  renderHistory();
}

function renderHistory() {
  $("history").replaceChildren(...state.history.map((h) => cell("li", [
    when(h.at), t(`step_${h.kind}`),
    h.department ? i18n.named(state.departments[h.department]) || h.department : "",
    h.actor ? h.actor.replace(/^user:/, "") : "",
    h.detail && h.detail.note ? h.detail.note : "",
  ].filter(Boolean).join(" · "))));
}

async function act(action) {
  const c = state.selectedCase;
  if (!c) return;
  const note = $("note").value.trim() || undefined;
  const materials = $("materials").value.split(/[,，、]/).map((m) => m.trim()).filter(Boolean);
  const requests = {
    claim: ["claim", undefined],
    approve: ["decide", { result: "approved", note }],
    reject: ["decide", { result: "rejected", note }],
    request: ["request-materials", { materials, note }],
    return: ["return", undefined],
  };
  const [path, body] = requests[action];
  showMessage($("action-message"), null);
  for (const button of document.querySelectorAll("#detail [data-action]")) button.disabled = true;
  try {
    const answer = await session.call("POST", `/cases/${c.id}/${path}`, { body, idempotencyKey: newIdempotencyKey() });
    $("note").value = "";
    $("materials").value = "";
    upsert(answer.case);
  } catch (err) {
    if (err.code === "unauthorized") { expire(); return; }
    showMessage($("action-message"), describe(err, i18n.lang, {
      reasons: {
        rejection_needs_note: t("needReason"), materials_required: t("needMaterials"),
        claimed_by_other: t("claimedByOther"), already_decided: t("alreadyDecided"),
        awaiting_materials: t("awaitingMaterials"), materials_already_requested: t("alreadyRequested"),
        case_not_in_review: t("notInReview"), case_not_decided: t("notDecided"), case_already_returned: t("alreadyReturned"),
        case_of_other_department: t("notYours"), role_not_allowed: t("notBackoffice"), no_such_case: t("gone"),
      },
      // A server that names no reason: what the action itself suggests.
      codes: {
        invalid: action === "reject" ? t("needReason") : action === "request" ? t("needMaterials") : undefined,
        conflict: action === "return" ? t("notDecided") : t("changed"),
        forbidden: t("notYours"), not_found: t("gone"),
      },
    }));
    showDetail(false);
  }
}

function rerender() {
  renderWho();
  if (state.socket) $("connection").textContent = t(state.socket.connected ? "connected" : "reconnecting");
  render();
  if (state.selectedCase) showDetail(false);
}

async function start() {
  i18n.apply();
  i18n.bindSwitch($("lang"));
  i18n.onChange(rerender);
  $("sign-in").addEventListener("submit", signIn);
  $("sign-out").addEventListener("click", signOut);
  $("status-filter").addEventListener("change", load);
  for (const button of document.querySelectorAll("#detail [data-action]")) button.addEventListener("click", () => act(button.dataset.action));
  setInterval(() => { if (state.me) render(); }, 30000);  // keep the countdowns current
  if (session.token) await enter(); else leave();
}

start();
