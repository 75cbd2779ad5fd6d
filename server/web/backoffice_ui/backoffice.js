// The back-office desk: sign in, follow the department's inbox live, claim, decide, ask for
// materials (补正) and return results to the window. Everything goes through /api/v1 and the
// /backoffice Socket.IO namespace; pushed cases carry their data, so the list updates in place.
(() => {
  "use strict";
  const API = "/api/v1";
  const TOKEN_KEY = "hallq.backoffice.token";
  const STATUS = { in_review: "审查中", approved: "已批准", rejected: "不予批准", ready_for_pickup: "待取件", picked_up: "已出件" };
  const REVIEW = { pending: "待认领", claimed: "办理中", awaiting_materials: "待补正", approved: "同意", rejected: "不同意" };
  const DEADLINE = { on_time: "正常", due_soon: "即将到期", overdue: "已超期" };
  const STEP = {
    routed: "窗口受理并分送", claimed: "认领", approved: "同意", rejected: "不同意", materials_requested: "要求补正",
    materials_received: "窗口收到补正材料", decided: "审批完成", returned: "结果退回窗口", picked_up: "已取件",
    mailed: "已邮寄", due_soon: "即将到期告警", overdue: "超期告警",
  };

  const $ = (id) => document.getElementById(id);
  let token = sessionStorage.getItem(TOKEN_KEY);
  let me = null;
  let departmentNames = {};
  let socket = null;
  let selected = null;  // the id of the case shown in the detail panel
  let selectedCase = null;  // kept even when it leaves the filtered list (approved, say) to return it
  const cases = new Map();

  async function call(method, path, body) {
    const headers = { "Content-Type": "application/json" };
    if (token) headers.Authorization = "Bearer " + token;
    if (method === "POST") headers["Idempotency-Key"] = crypto.randomUUID ? crypto.randomUUID() : String(Math.random());
    const response = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error(data.error ? data.error.message : "请求失败（" + response.status + "）");
      error.status = response.status;
      throw error;
    }
    return data;
  }

  function text(tag, content, className) {
    const node = document.createElement(tag);
    node.textContent = content == null ? "" : String(content);
    if (className) node.className = className;
    return node;
  }

  function localTime(iso) {
    return iso ? new Date(iso).toLocaleString("zh-CN", { hour12: false }) : "";
  }

  function countdown(c) {
    const ms = Date.parse(c.due_at) - Date.now();
    const hours = Math.floor(Math.abs(ms) / 3600000);
    const span = Math.floor(hours / 24) + "天" + (hours % 24) + "小时";
    const due = new Date(c.due_at).toLocaleDateString("zh-CN");
    if (c.status !== "in_review") return due + " 到期（" + DEADLINE[c.deadline] + "）";
    if (c.clock_stopped) return due + " 到期（补正中，计时暂停）";
    return ms < 0 ? due + " 到期（已超期 " + span + "）" : due + " 到期（剩余 " + span + "）";
  }

  // ------------------------------------------------------------------ sign-in
  async function signIn(event) {
    event.preventDefault();
    const form = event.target;
    $("sign-in-error").textContent = "";
    try {
      const answer = await call("POST", "/auth/login", { username: form.username.value, password: form.password.value });
      if (answer.role !== "backoffice") {
        token = answer.token;
        await call("POST", "/auth/logout").catch(() => {});
        token = null;
        throw new Error("此账号不是后台审批账号。");
      }
      token = answer.token;
      sessionStorage.setItem(TOKEN_KEY, token);
      form.password.value = "";
      await start();
    } catch (error) {
      $("sign-in-error").textContent = error.message;
    }
  }

  async function signOut() {
    await call("POST", "/auth/logout").catch(() => {});
    stop();
  }

  function stop() {
    token = null;
    me = null;
    sessionStorage.removeItem(TOKEN_KEY);
    if (socket) socket.disconnect();
    socket = null;
    cases.clear();
    selected = selectedCase = null;
    $("desk").hidden = true;
    $("detail").hidden = true;
    $("sign-in").hidden = false;
    $("sign-out").hidden = true;
    $("who").textContent = "";
  }

  async function start() {
    try {
      me = await call("GET", "/me");
    } catch (error) {
      stop();
      return;
    }
    const catalog = await call("GET", "/catalog");
    departmentNames = Object.fromEntries(catalog.departments.map((d) => [d.code, d.name]));
    const department = catalog.departments.find((d) => d.code === me.department);
    $("who").textContent = me.name + " · " + (department ? department.name : me.department);
    $("sign-in").hidden = true;
    $("sign-out").hidden = false;
    $("desk").hidden = false;
    connect();
  }

  // ------------------------------------------------------------------ live inbox
  function connect() {
    socket = io("/backoffice", { auth: { token }, transports: ["websocket"] });
    socket.on("connect", () => {
      $("connection").textContent = "已连接";
      load();  // after every (re)connect: what happened while away
    });
    socket.on("disconnect", () => { $("connection").textContent = "连接中断，正在重连…"; });
    socket.on("connect_error", (error) => {
      $("connection").textContent = "无法连接";
      if (error && error.data && error.data.error && error.data.error.code === "unauthorized") stop();
    });
    socket.on("case_routed", upsert);
    socket.on("case_updated", upsert);
  }

  async function load() {
    const status = $("status-filter").value;
    try {
      const list = await call("GET", "/cases" + (status ? "?status=" + status : ""));
      cases.clear();
      for (const c of list) cases.set(c.id, c);
      render();
    } catch (error) {
      if (error.status === 401) stop();
    }
  }

  function upsert(c) {
    const status = $("status-filter").value;
    if (status && c.status !== status) cases.delete(c.id);
    else cases.set(c.id, c);
    render();
    if (selected === c.id) {
      selectedCase = c;
      showDetail(c, true);
    }
  }

  function render() {
    const body = $("inbox");
    body.replaceChildren();
    const list = [...cases.values()].sort((a, b) => a.due_at.localeCompare(b.due_at));
    for (const c of list) {
      const row = document.createElement("tr");
      row.dataset.id = c.id;
      if (c.id === selected) row.className = "selected";
      row.append(
        text("td", c.number),
        text("td", c.matter_name),
        text("td", c.applicant.name + " " + c.applicant.phone),
        text("td", c.window + "号窗口"),
        text("td", c.departments.map((d) => d.name + "：" + REVIEW[d.status]).join("；")),
        text("td", countdown(c), c.status === "in_review" ? c.deadline : ""),
        text("td", STATUS[c.status]),
      );
      row.addEventListener("click", () => openCase(c.id));
      body.append(row);
    }
    $("empty").hidden = list.length > 0;
  }

  // ------------------------------------------------------------------ one case
  async function openCase(id) {
    selected = id;
    selectedCase = cases.get(id);
    render();
    showDetail(cases.get(id), true);
  }

  async function showDetail(c, withHistory) {
    $("detail").hidden = false;
    $("detail-title").textContent = "办件 " + c.number + " · " + c.matter_name;
    const facts = $("detail-facts");
    facts.replaceChildren();
    const review = mine(c);
    for (const [label, value] of [
      ["状态", STATUS[c.status]],
      ["申请人", c.applicant.name + "（" + c.applicant.phone + "）"],
      ["受理", c.window + "号窗口 " + localTime(c.accepted_at)],
      ["办结时限", countdown(c)],
      ["申请材料", c.materials.join("、")],
      ["补正材料", c.supplements.join("、") || "无"],
      ["窗口备注", c.note || ""],
      ["本部门", review ? REVIEW[review.status] + (review.claimed_by ? "（" + review.claimed_by + "）" : "") : ""],
      ["各部门", c.departments.map((d) => d.name + "：" + REVIEW[d.status] + (d.note ? "（" + d.note + "）" : "")).join("；")],
    ]) {
      facts.append(text("dt", label), text("dd", value));
    }
    const open = c.status === "in_review" && review && ["pending", "claimed"].includes(review.status)
      && (!review.claimed_by || review.claimed_by === me.name);
    const buttons = {
      claim: c.status === "in_review" && review && review.status === "pending",
      approve: open, reject: open, request: open,
      return: c.status === "approved" || c.status === "rejected",
    };
    for (const button of document.querySelectorAll("#detail [data-action]")) {
      button.disabled = !buttons[button.dataset.action];
    }
    if (withHistory) {
      try {
        const full = await call("GET", "/cases/" + c.id);
        if (selected !== c.id) return;
        $("history").replaceChildren(...full.case.history.map((h) => text("li",
          localTime(h.at) + " " + (STEP[h.kind] || h.kind) + (h.department ? " · " + (departmentNames[h.department] || h.department) : "")
          + (h.actor ? " · " + h.actor.replace(/^user:/, "") : "")
          + (h.detail && h.detail.note ? " · " + h.detail.note : ""))));
      } catch (error) { /* the list still shows the case */ }
    }
  }

  function mine(c) {
    return c.departments.find((d) => d.code === me.department);
  }

  async function act(action) {
    const c = selectedCase;
    if (!c) return;
    const note = $("note").value.trim() || undefined;
    const requests = {
      claim: ["claim", undefined],
      approve: ["decide", { result: "approved", note }],
      reject: ["decide", { result: "rejected", note }],
      request: ["request-materials", {
        materials: $("materials").value.split(/[,，、]/).map((m) => m.trim()).filter(Boolean), note }],
      return: ["return", undefined],
    };
    const [path, body] = requests[action];
    $("action-error").textContent = "";
    const buttons = document.querySelectorAll("#detail [data-action]");
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const answer = await call("POST", "/cases/" + c.id + "/" + path, body);
      $("note").value = "";
      $("materials").value = "";
      upsert(answer.case);
    } catch (error) {
      $("action-error").textContent = error.message;
      showDetail(c, false);
    }
  }

  $("sign-in").addEventListener("submit", signIn);
  $("sign-out").addEventListener("click", signOut);
  $("status-filter").addEventListener("change", load);
  for (const button of document.querySelectorAll("#detail [data-action]")) {
    button.addEventListener("click", () => act(button.dataset.action));
  }
  setInterval(() => { if (me) render(); }, 30000);  // keep the countdowns current
  if (token) start();
})();
