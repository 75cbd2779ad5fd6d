// The clerk console's cases (办件): at a comprehensive or one-thing window, 受理转办 routes the current
// ticket to the back office and shows the acceptance receipt; the 办件 panel lists the cases this window
// accepted, live from the /clerk namespace's `case_updated` (applicant masked), and says when one is
// ready for pickup; a pickup ticket (its `case` set) is handed over with 取件 or 邮寄.
import { newIdempotencyKey } from "/ui/common/api.js";
import { describeInLanguage as describe, showMessage } from "/ui/common/errors.js";
import { hallDate } from "/ui/common/i18n.js";

export const CASE_PHRASES = {
  zh: {
    route: "受理转办", pickup: "取件", mail: "邮寄",
    routeTitle: "受理转办：{number} 号", applicantName: "姓名", applicantPhone: "手机号", note: "备注",
    confirmRoute: "确认受理", mailTitle: "邮寄送达：办件 {case}", tracking: "快递单号", confirmMail: "确认邮寄",
    receipt: "受理回执", caseNumber: "办件号", caseMatter: "事项", caseDue: "承诺办结", caseAccepted: "受理日期", caseMaterials: "材料清单",
    caseApplicant: "申请人", caseStatus: "状态", closeReceipt: "关闭回执",
    pickupCode: "取件码", pickupCodeHint: "请告知申请人：凭回执上的办件号和取件码在取号机取件号（或带身份证）。",
    cases: "办件", noCases: "本窗口暂无受理的办件。",
    routed: "已受理：办件 {case}，已转后台审批。", ready: "办件 {case} 已办结，可取件。",
    pickedUp: "办件 {case} 已交付申请人。", mailed: "办件 {case} 已邮寄（快递单号 {tracking}）。",
    pickupTicket: "取件号：办件 {case}",
    needApplicant: "请填写申请人姓名和手机号（如 13812341234）。", needTracking: "请填写快递单号。",
    routeNotHere: "本窗口不能受理转办这个事项，请转移到相应窗口。",
    routeOtherDepartment: "专业窗口只能受理转办本部门的事项，请转移到相应窗口。",
    routeNotAMatter: "取件号不能受理转办，请按“取件”或“邮寄”交付结果。",
    notReady: "该办件还没有办结，不能取件或邮寄。", callPickupFirst: "请先叫到该办件的取件号，再交付取件。",
    noCase: "找不到这个办件，请核对办件号。",
    caseOtherWindow: "这个办件不是本窗口（本部门或本楼层综合窗口）受理的，只有叫到它的取件号时才能在此交付。",
    badTracking: "快递单号应为运单上的编号：最多4个字母、8至26位数字、最多4个字母，请按运单核对。",
  },
  en: {
    route: "Accept & route", pickup: "Hand over", mail: "Mail",
    routeTitle: "Accept and route ticket {number}", applicantName: "Name", applicantPhone: "Phone", note: "Note",
    confirmRoute: "Accept", mailTitle: "Mail the result of case {case}", tracking: "Tracking number", confirmMail: "Mail",
    receipt: "Acceptance receipt", caseNumber: "Case", caseMatter: "Matter", caseDue: "Due", caseAccepted: "Accepted", caseMaterials: "Materials",
    caseApplicant: "Applicant", caseStatus: "Status", closeReceipt: "Close receipt",
    pickupCode: "Pickup code", pickupCodeHint: "Tell the applicant: the case number and this pickup code on the receipt (or the ID card) get the pickup ticket at a kiosk.",
    cases: "Cases accepted here", noCases: "No case has been accepted at this window.",
    routed: "Accepted: case {case}, sent to the back office.", ready: "Case {case} is done and ready for pickup.",
    pickedUp: "Case {case} handed over to the applicant.", mailed: "Case {case} mailed (tracking number {tracking}).",
    pickupTicket: "Pickup of case {case}",
    needApplicant: "Enter the applicant's name and phone number (such as 13812341234).", needTracking: "Enter the tracking number.",
    routeNotHere: "This window cannot accept this matter; transfer the ticket to the right window.",
    routeOtherDepartment: "A professional window routes only its own department's matters; transfer the ticket to the right window.",
    routeNotAMatter: "A pickup ticket cannot be routed; hand the result over or mail it.",
    notReady: "This case is not done yet; it cannot be handed over or mailed.", callPickupFirst: "Call the case's pickup ticket before handing it over.",
    noCase: "There is no such case; check the number.",
    caseOtherWindow: "This case was not accepted at this window's desk; it can be handed over here only once its pickup ticket is called here.",
    badTracking: "A tracking number is as on the waybill: up to 4 letters, 8 to 26 digits, up to 4 letters.",
  },
};

export const CASE_STATUSES = {
  zh: { in_review: "审批中", approved: "已批准，待退回窗口", rejected: "不予批准，待退回窗口", ready_for_pickup: "已办结，可取件", picked_up: "已取件", mailed: "已邮寄" },
  en: { in_review: "In review", approved: "Approved, coming back", rejected: "Refused, coming back", ready_for_pickup: "Ready for pickup", picked_up: "Picked up", mailed: "Mailed" },
};

const ROUTING_KINDS = new Set(["comprehensive", "one_thing"]);

export function caseStatus(c, lang) {
  const key = c.status === "picked_up" && c.handed_over === "mail" ? "mailed" : c.status;
  return CASE_STATUSES[lang][key] || c.status;
}

/**
 * @param console_ what the console lends: session, i18n, message (element), window() → WINDOW,
 *   released() (the current ticket left the window), matterName(id), person() → {name, phone} of the
 *   ticket's holder (or null), to accept the case with
 */
export function createCaseDesk(console_) {
  const { session, i18n, message } = console_;
  const t = i18n.t;
  const $ = (id) => document.getElementById(id);
  const cases = new Map();
  let busy = false;
  let receiptOf = null;  // the case on the receipt, and the case of the ready notice: re-worded on a language switch
  let readyCase = null;

  const when = (iso) => (iso ? hallDate(iso, i18n.lang) : "—");

  async function enter() {
    cases.clear();
    $("case-notice").hidden = true;
    $("receipt").hidden = true;
    try {
      for (const c of await session.call("GET", `/windows/${console_.window().number}/cases`)) cases.set(c.id, c);
    } catch { /* the list fills from the pushes; the console itself works without it */ }
    render();
  }

  function onCase(c) {
    const w = console_.window();
    if (!w || c.window !== w.number) return;
    const before = cases.get(c.id);
    cases.set(c.id, c);
    if (c.status === "ready_for_pickup" && (!before || before.status !== "ready_for_pickup")) {
      const notice = $("case-notice");
      notice.hidden = false;
      readyCase = c.number;
      notice.textContent = t("ready", { case: c.number });
    }
    render();
  }

  function render() {
    const w = console_.window();
    if (!w) return;
    const current = w.current;
    if (receiptOf && !$("receipt").hidden) showReceipt(receiptOf);
    if (readyCase && !$("case-notice").hidden) $("case-notice").textContent = t("ready", { case: readyCase });
    $("act-route").hidden = !ROUTING_KINDS.has(w.kind);
    $("act-route").disabled = !current || Boolean(current.case);
    $("act-pickup").hidden = $("act-mail").hidden = !(current && current.case);
    $("pickup-case").hidden = !(current && current.case);
    if (current && current.case) $("pickup-case").textContent = t("pickupTicket", { case: current.case });
    // A professional window seldom routes: its console shows the panel only once it has a case.
    $("cases-panel").hidden = !ROUTING_KINDS.has(w.kind) && cases.size === 0;
    const list = [...cases.values()].sort((a, b) => b.accepted_at.localeCompare(a.accepted_at));
    $("cases-empty").hidden = list.length > 0;
    $("case-list").replaceChildren(...list.map((c) => {
      const tr = document.createElement("tr");
      tr.dataset.case = c.number;
      tr.dataset.status = c.status;
      for (const text of [c.number, c.matter_name, c.applicant.name, when(c.due_at), caseStatus(c, i18n.lang)]) {
        tr.append(Object.assign(document.createElement("td"), { textContent: text }));
      }
      return tr;
    }));
  }

  function showReceipt(c) {
    receiptOf = c;
    $("receipt-number").textContent = c.number;
    $("receipt-pickup-code").textContent = c.pickup_code || "—";
    const facts = $("receipt-facts");
    facts.replaceChildren();
    // What was accepted, as of acceptance; where the case is now, the 办件 list says.
    for (const [key, value] of [["caseMatter", c.matter_name], ["caseApplicant", `${c.applicant.name} ${c.applicant.phone}`],
      ["caseAccepted", when(c.accepted_at)], ["caseDue", when(c.due_at)]]) {
      facts.append(Object.assign(document.createElement("dt"), { textContent: t(key) }),
        Object.assign(document.createElement("dd"), { textContent: value }));
    }
    $("receipt-materials").replaceChildren(...c.materials.map((m) => Object.assign(document.createElement("li"), { textContent: m })));
    $("receipt").hidden = false;
  }

  async function post(path, body, refusal, target = message) {
    if (busy) return null;
    busy = true;
    try {
      return await session.call("POST", `/windows/${console_.window().number}/${path}`, { body, idempotencyKey: newIdempotencyKey() });
    } catch (err) {
      showMessage(target, refusal(err));
      return null;
    } finally {
      busy = false;
    }
  }

  // What every window command here can meet, then the command's own sentences.
  function refusal(err, own) {
    return describe(err, i18n.lang, {
      reasons: {
        no_current_ticket: t("noCurrent"), ticket_not_called: t("ticketNotCalled"), window_changed: t("windowChanged"),
        not_signed_in_here: t("notYourWindow"), window_of_other_clerk: t("otherClerkNow"),
        ...own.reasons,
      },
      codes: {
        unauthorized: t("expired"), forbidden: t("notYourWindow"),
        conflict: console_.window().current ? undefined : t("noCurrent"),
        ...own.codes,
      },
    });
  }

  function startRoute() {
    const current = console_.window().current;
    if (!current) { showMessage(message, { text: t("noCurrent") }); return; }
    $("route-title").textContent = t("routeTitle", { number: current.number });
    $("route-form").reset();
    const person = console_.person && console_.person();  // the ID card's name and the ticket's phone
    if (person) {
      $("applicant-name").value = person.name;
      $("applicant-phone").value = person.phone;
    }
    showMessage($("route-message"), null);
    $("route-dialog").showModal();
  }

  async function submitRoute(event) {
    event.preventDefault();
    const name = $("applicant-name").value.trim();
    const phone = $("applicant-phone").value.trim();
    const note = $("route-note").value.trim();
    if (!name || !phone) { showMessage($("route-message"), { text: t("needApplicant") }); return; }
    const answer = await post("route", { applicant: { name, phone }, ...(note ? { note } : {}) }, (err) => refusal(err, {
      reasons: {
        applicant_name_required: t("needApplicant"), invalid_phone: t("needApplicant"),
        matter_not_accepted_here: t("routeNotHere"), matter_of_other_department: t("routeOtherDepartment"),
        ticket_not_for_a_matter: t("routeNotAMatter"),
      },
      codes: { invalid: t("needApplicant") },
    }), $("route-message"));
    if (!answer) return;
    showMessage($("route-message"), null);
    $("route-dialog").close();
    const c = answer.case;
    cases.set(c.id, c);
    showReceipt(c);
    showMessage(message, { text: t("routed", { case: c.number }) }, "info");
    console_.released();
  }

  async function handOver(how, tracking) {
    const current = console_.window().current;
    const caseNumber = current && current.case;
    const answer = await post("hand-over", { how, ...(tracking ? { tracking } : {}) }, (err) => refusal(err, {
      reasons: {
        tracking_number_required: t("needTracking"), case_number_required: t("callPickupFirst"),
        case_not_ready: t("notReady"), pickup_ticket_not_called: t("callPickupFirst"), no_such_case: t("noCase"),
        case_of_other_window: t("caseOtherWindow"), invalid_tracking_number: t("badTracking"),
      },
      codes: { invalid: how === "mail" ? t("needTracking") : t("callPickupFirst"), conflict: t("callPickupFirst"), not_found: t("noCase") },
    }));
    if (!answer) return false;
    const c = answer.case;
    cases.set(c.id, c);
    if ($("case-notice").textContent.includes(c.number)) $("case-notice").hidden = true;
    showMessage(message, { text: t(how === "mail" ? "mailed" : "pickedUp", { case: caseNumber || c.number, tracking }) }, "info");
    console_.released();
    return true;
  }

  function startMail() {
    const current = console_.window().current;
    if (!current || !current.case) return;
    $("mail-title").textContent = t("mailTitle", { case: current.case });
    $("mail-form").reset();
    showMessage($("mail-message"), null);
    $("mail-dialog").showModal();
  }

  async function submitMail(event) {
    event.preventDefault();
    const tracking = $("tracking").value.trim();
    if (!tracking) { showMessage($("mail-message"), { text: t("needTracking") }); return; }
    $("mail-dialog").close();
    await handOver("mail", tracking);
  }

  $("act-route").addEventListener("click", startRoute);
  $("route-form").addEventListener("submit", submitRoute);
  $("act-pickup").addEventListener("click", () => handOver("pickup"));
  $("act-mail").addEventListener("click", startMail);
  $("mail-form").addEventListener("submit", submitMail);
  for (const dialog of [$("route-dialog"), $("mail-dialog")]) {
    dialog.querySelector(".cancel").addEventListener("click", () => dialog.close());
  }
  $("close-receipt").addEventListener("click", () => { $("receipt").hidden = true; });

  return { enter, onCase, render, anyDialogOpen: () => $("route-dialog").open || $("mail-dialog").open };
}
