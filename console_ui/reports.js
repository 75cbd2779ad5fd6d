// 统计报表 (/reports): the service report of a range of days in one grouping, as figures, charts and a
// table, with the 差评 and their follow-up; the XLSX and CSV download for Excel. Admin and supervisor
// (电子监察). docs/reports.md defines every figure; the page only shows what the server counted.
import { api, apiFile } from "/ui/common/api.js";
import { describeInLanguage as describe, showMessage } from "/ui/common/errors.js";
import { createI18n, hallDay, hallTime, useHallZone } from "/ui/common/i18n.js";
import { createCharts } from "/ui/console/report-charts.js";
import { SIGNIN_PHRASES, StaffSession, loginRefusal } from "/ui/console/signin.js";

const GROUPINGS = ["department", "window", "clerk", "matter", "queue", "hour", "day"];
const READERS = ["admin", "supervisor"];
const PHRASES = {
  zh: {
    ...SIGNIN_PHRASES.zh,
    title: "统计报表", signinTitle: "统计报表登录", from: "开始日期", to: "结束日期", by: "分组", show: "查询",
    downloadXlsx: "下载 Excel", downloadCsv: "下载 CSV", summary: "汇总",
    g_department: "按部门", g_window: "按窗口", g_clerk: "按工作人员", g_matter: "按事项", g_queue: "按队列", g_hour: "按时段", g_day: "按日期",
    k_department: "部门", k_window: "窗口", k_clerk: "工作人员", k_matter: "事项", k_queue: "队列", k_hour: "时段", k_day: "日期",
    tickets: "取号", served: "办结", noShow: "过号", transferred: "转移", routed: "受理转办",
    avgWait: "平均等候", p90Wait: "90%等候", maxWait: "最长等候", avgService: "平均办理", satisfaction: "满意率",
    l1: "非常满意", l2: "满意", l3: "基本满意", l4: "不满意", l5: "非常不满意",
    minSec: "（分:秒）", minutesValue: "{n} 分钟", hourLabel: "{h}时",
    barTitle: "{grouping}：办结与过号", groupChartLabel: "办结与过号", waitChart: "各时段等候时间（按取号时段，分钟）",
    satisfactionChart: "评价与满意率", tableTitle: "{grouping}统计", period: "统计期间：{from} 至 {to}（共 {n} 天，按业务日）",
    noRows: "所选期间没有取号记录。", noWaits: "所选期间没有叫号记录", noRatings: "暂无计入的评价",
    badRatings: "差评与回访整改", ratedAt: "评价时间", number: "号码", window: "窗口", clerk: "工作人员", level: "评价",
    comment: "意见", status: "状态", contactDue: "回访期限", fixDue: "整改期限", lastStep: "最近处理",
    followUpsUnavailable: "回访整改数据暂不可用。", noBad: "所选期间没有差评。",
    s_open: "待回访", s_contacted: "已回访", s_fixed: "已整改", s_appealed: "申诉中", s_closed: "已办结",
    a_open: "登记", a_contact: "回访", a_fix: "整改", a_close: "办结", a_appeal: "申诉", a_uphold: "维持评价", a_remove: "撤销评价",
    badRange: "日期范围不正确：开始日期不能晚于结束日期，最长 366 天。", badGrouping: "请选择一种统计分组。",
    badFormat: "不支持这种下载格式。", notReader: "统计报表需要管理员或电子监察账号。", downloaded: "已下载 {file}。",
    loading: "正在统计…",
  },
  en: {
    ...SIGNIN_PHRASES.en,
    title: "Reports", signinTitle: "Reports sign-in", from: "From", to: "To", by: "Group by", show: "Show",
    downloadXlsx: "Download Excel", downloadCsv: "Download CSV", summary: "Summary",
    g_department: "Department", g_window: "Window", g_clerk: "Clerk", g_matter: "Matter", g_queue: "Queue", g_hour: "Hour", g_day: "Day",
    k_department: "Department", k_window: "Window", k_clerk: "Clerk", k_matter: "Matter", k_queue: "Queue", k_hour: "Hour", k_day: "Day",
    tickets: "Tickets", served: "Served", noShow: "No-shows", transferred: "Transfers", routed: "Routed",
    avgWait: "Avg wait", p90Wait: "90% wait", maxWait: "Longest wait", avgService: "Avg service", satisfaction: "Satisfaction",
    l1: "Very satisfied", l2: "Satisfied", l3: "Fairly satisfied", l4: "Dissatisfied", l5: "Very dissatisfied",
    minSec: " (m:ss)", minutesValue: "{n} min", hourLabel: "{h}h",
    barTitle: "By {grouping}: served and no-shows", groupChartLabel: "Served and no-shows", waitChart: "Wait by hour of issue (minutes)",
    satisfactionChart: "Ratings and satisfaction", tableTitle: "By {grouping}", period: "From {from} to {to} ({n} days, business days)",
    noRows: "No tickets in this period.", noWaits: "No calls in this period", noRatings: "No ratings counted yet",
    badRatings: "Bad ratings and their follow-up", ratedAt: "Rated at", number: "Number", window: "Window", clerk: "Clerk", level: "Rating",
    comment: "Comment", status: "Status", contactDue: "Contact by", fixDue: "Fix by", lastStep: "Last step",
    followUpsUnavailable: "Follow-ups are not available yet.", noBad: "No bad ratings in this period.",
    s_open: "Open", s_contacted: "Contacted", s_fixed: "Fixed", s_appealed: "Appealed", s_closed: "Closed",
    a_open: "opened", a_contact: "contacted", a_fix: "fixed", a_close: "closed", a_appeal: "appealed", a_uphold: "rating upheld", a_remove: "rating removed",
    badRange: "The dates are not right: from must not be after to, and at most 366 days.", badGrouping: "Choose a grouping.",
    badFormat: "This download format is not offered.", notReader: "Reports need an admin or supervisor account.",
    downloaded: "Downloaded {file}.", loading: "Counting…",
  },
};

const i18n = createI18n(PHRASES);
const t = i18n.t;
const $ = (id) => document.getElementById(id);
const session = new StaffSession("hallq.reports");
const state = { report: null, hours: null, followUps: undefined, asked: null };
let charts = null;

// ------------------------------------------------------------------ formatting
const dash = "—";
const mmss = (s) => (s == null ? dash : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`);
const percent = (x) => (x == null ? dash : `${(x * 100).toFixed(1)}%`);
const levelName = (level) => t(`l${level}`);
const groupingName = (by) => t(`g_${by}`);
const localTime = (iso) => {
  if (!iso) return dash;
  return Number.isNaN(Date.parse(iso)) ? String(iso) : `${hallDay(iso)} ${hallTime(iso)}`;
};

function query(format) {
  const { from, to, by } = state.asked;
  return `/reports/service?from=${from}&to=${to}&by=${by}${format ? `&format=${format}` : ""}`;
}

function refusal(err) {
  if (err.code === "unauthorized") { expire(); return null; }
  return describe(err, i18n.lang, {
    reasons: { invalid_date_range: t("badRange"), invalid_grouping: t("badGrouping"), invalid_format: t("badFormat"),
               role_not_allowed: t("notReader") },
    codes: { forbidden: t("notReader") },
  });
}

// ------------------------------------------------------------------ loading
async function load(event) {
  if (event) event.preventDefault();
  state.asked = { from: $("from").value, to: $("to").value, by: $("by").value };
  showMessage($("message"), { text: t("loading") }, "info");
  try {
    const [report, hours] = await Promise.all([
      session.call("GET", query(), { timeoutMs: 120000 }),
      state.asked.by === "hour" ? null : session.call("GET", `/reports/service?from=${state.asked.from}&to=${state.asked.to}&by=hour`, { timeoutMs: 120000 }),
    ]);
    state.report = report;
    state.hours = hours || report;
    showMessage($("message"), null);
  } catch (err) {
    state.report = null;
    const sentence = refusal(err);
    if (!sentence) return;  // signed out: the sign-in form is showing
    showMessage($("message"), sentence);
  }
  render();
  await loadFollowUps();
}

async function loadFollowUps() {
  // Another part of the hall serves the follow-ups; until it answers, the list says so.
  try {
    const answer = await session.call("GET", "/follow-ups");
    state.followUps = answer && Array.isArray(answer.follow_ups) ? answer.follow_ups : null;
  } catch (err) {
    if (err.code === "unauthorized") { expire(); return; }
    state.followUps = null;
  }
  renderFollowUps();
}

async function download(format) {
  if (!state.asked) return;
  const file = `服务统计_${state.asked.from}_${state.asked.to}_${state.asked.by}.${format}`;
  try {
    const blob = await apiFile(query(format), { token: session.token });
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = file;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    showMessage($("message"), { text: t("downloaded", { file }) }, "info");
  } catch (err) {
    const sentence = refusal(err);
    if (sentence) showMessage($("message"), sentence);
  }
}

// ------------------------------------------------------------------ rendering
function render() {
  const report = state.report;
  const asked = state.asked || { by: $("by").value };
  $("bar-title").textContent = t("barTitle", { grouping: groupingName(asked.by) });
  $("table-title").textContent = t("tableTitle", { grouping: groupingName(asked.by) });
  const days = report ? Math.round((Date.parse(asked.to) - Date.parse(asked.from)) / 86400000) + 1 : 0;
  $("period").textContent = report ? t("period", { from: asked.from, to: asked.to, n: days }) : "";
  renderCards(report && report.totals);
  renderTable(report, asked.by);
  if (!charts) return;
  if (report) {
    charts.groups(report.rows, t);
    charts.waits(state.hours.rows, t);
    charts.satisfaction(report.totals, t, levelName);
  } else {
    charts.clear();  // no figures from an earlier range left standing beside a refusal
  }
}

function renderCards(totals) {
  const cards = [
    ["tickets", totals ? String(totals.tickets) : dash], ["served", totals ? String(totals.served) : dash],
    ["noShow", totals ? String(totals.no_show) : dash], ["routed", totals ? String(totals.routed) : dash],
    ["avgWait", totals && totals.avg_wait_s != null ? t("minutesValue", { n: (totals.avg_wait_s / 60).toFixed(1) }) : dash],
    ["avgService", totals && totals.avg_service_s != null ? t("minutesValue", { n: (totals.avg_service_s / 60).toFixed(1) }) : dash],
    ["satisfaction", totals ? percent(totals.satisfaction) : dash],
  ];
  const title = $("cards-title");
  $("cards").replaceChildren(title, ...cards.map(([key, value]) => {
    const card = document.createElement("div");
    card.className = "card";
    card.dataset.figure = key;
    const label = document.createElement("span");
    label.textContent = t(key);
    const strong = document.createElement("strong");
    strong.textContent = value;
    card.append(label, strong);
    return card;
  }));
}

const COLUMNS = [
  ["tickets", (r) => r.tickets], ["served", (r) => r.served], ["noShow", (r) => r.no_show],
  ["transferred", (r) => r.transferred], ["routed", (r) => r.routed],
  ["avgWait", (r) => mmss(r.avg_wait_s), true], ["p90Wait", (r) => mmss(r.p90_wait_s), true],
  ["maxWait", (r) => mmss(r.max_wait_s), true], ["avgService", (r) => mmss(r.avg_service_s), true],
  ...[1, 2, 3, 4, 5].map((level) => [`l${level}`, (r) => r.ratings[String(level)]]),
  ["satisfaction", (r) => percent(r.satisfaction)],
];

function renderTable(report, by) {
  const head = document.createElement("tr");
  for (const [i, text] of [t(`k_${by}`), ...COLUMNS.map(([key, , time]) => t(key) + (time ? t("minSec") : ""))].entries()) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = text;
    if (i > 0) th.className = "num";
    head.append(th);
  }
  $("report-head").replaceChildren(head);
  const line = (row, total) => {
    const tr = document.createElement("tr");
    tr.dataset.key = row.key ?? "";
    if (total) tr.className = "total";
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = row.name;
    tr.append(th);
    for (const [, value] of COLUMNS) {
      const td = document.createElement("td");
      td.className = "num";
      td.textContent = String(value(row));
      tr.append(td);
    }
    return tr;
  };
  $("report-rows").replaceChildren(...(report ? report.rows.map((row) => line(row, false)) : []));
  $("report-totals").replaceChildren(...(report ? [line(report.totals, true)] : []));
  $("no-rows").hidden = !report || report.rows.length > 0;
}

function renderFollowUps() {
  const list = state.followUps;
  const cells = (values) => {
    const tr = document.createElement("tr");
    for (const value of values) {
      const td = document.createElement("td");
      td.textContent = value == null || value === "" ? dash : String(value);
      tr.append(td);
    }
    return tr;
  };
  if (!Array.isArray(list)) {
    $("bad-rows").replaceChildren(cells(Array(10).fill(dash)));
    $("bad-note").textContent = list === null ? t("followUpsUnavailable") : "";
    return;
  }
  const inRange = (f) => {
    const at = f && f.rating && f.rating.at;
    if (!at || !state.asked) return true;
    const day = hallDay(at);
    return day >= state.asked.from && day <= state.asked.to;
  };
  const shown = list.filter((f) => f && typeof f === "object" && inRange(f));
  $("bad-rows").replaceChildren(...shown.map((f) => {
    const rating = f.rating && typeof f.rating === "object" ? f.rating : {};
    const history = Array.isArray(f.history) ? f.history : [];
    const last = history[history.length - 1];
    const level = Number(rating.level);
    const tr = cells([
      localTime(rating.at), rating.number, rating.window ? `${rating.window}` : null, rating.clerk,
      PHRASES[i18n.lang][`l${level}`] || rating.label, rating.comment,
      PHRASES[i18n.lang][`s_${f.status}`] || f.status, f.contact_due, f.fix_due,
      last && typeof last === "object"
        ? [localTime(last.at || last.when), PHRASES[i18n.lang][`a_${last.action}`] || last.action].filter(Boolean).join(" ") : null,
    ]);
    tr.dataset.status = String(f.status || "");
    return tr;
  }));
  $("bad-note").textContent = shown.length ? "" : t("noBad");
}

// ------------------------------------------------------------------ sign-in
async function onSignIn(event) {
  event.preventDefault();
  const message = $("signin-message");
  const username = $("username").value.trim();
  const password = $("password").value;
  if (!username || !password) { showMessage(message, { text: t("needCredentials") }); return; }
  try {
    const who = await session.login(username, password);
    if (!READERS.includes(who.role)) { await session.logout(); showMessage(message, { text: t("notReader") }); return; }
    $("password").value = "";
    showMessage(message, null);
    await enter();
  } catch (err) {
    showMessage(message, loginRefusal(err, i18n));
  }
}

function expire() {
  session.forget();
  showSignIn();
  showMessage($("signin-message"), { text: t("expired") });
}

function showSignIn() {
  $("reports").hidden = true;
  $("signin").hidden = false;
  $("sign-out").hidden = true;
  $("who").textContent = "";
}

async function enter() {
  $("signin").hidden = true;
  $("reports").hidden = false;
  $("sign-out").hidden = false;
  $("who").textContent = session.username;
  charts = charts || createCharts({ groups: $("chart-groups"), waits: $("chart-waits"), satisfaction: $("chart-satisfaction") });
  await load();
}

function fillGroupings() {
  const chosen = $("by").value || "department";
  $("by").replaceChildren(...GROUPINGS.map((by) => {
    const option = document.createElement("option");
    option.value = by;
    option.textContent = groupingName(by);
    return option;
  }));
  $("by").value = chosen;
}

async function start() {
  i18n.apply();
  i18n.bindSwitch($("lang"));
  fillGroupings();
  i18n.onChange(() => { fillGroupings(); render(); renderFollowUps(); });
  $("signin").addEventListener("submit", onSignIn);
  $("sign-out").addEventListener("click", async () => { await session.logout(); showSignIn(); });
  $("query").addEventListener("submit", load);
  $("by").addEventListener("change", () => load());
  $("download-xlsx").addEventListener("click", () => download("xlsx"));
  $("download-csv").addEventListener("click", () => download("csv"));
  // The last seven of the hall's days, not the computer's: the computer's until the catalogue, which
  // names the hall's zone, is read (unless someone has chosen days meanwhile).
  const lastWeek = () => {
    const today = hallDay(Date.now());
    return [hallDay(Date.parse(`${today}T12:00:00Z`) - 6 * 86400000), today];
  };
  [$("from").value, $("to").value] = lastWeek();
  const guessed = lastWeek().join();
  useHallZone(await api("GET", "/catalog").then((c) => c.hall.timezone, () => undefined));
  if ([$("from").value, $("to").value].join() === guessed) [$("from").value, $("to").value] = lastWeek();
  if (session.token) {
    try {
      const me = await session.me();
      if (READERS.includes(me.role)) { await enter(); return; }
    } catch (err) {
      if (err.code === "unauthorized") session.forget();
    }
  }
  showSignIn();
}

start();
