// The admin board's accounts panel (账号与设备, issue 14): every staff account with 停用/启用, 解锁 and
// 重置密码, every paired device (kiosk, screen, pad, platform) with its token's age, 吊销 and 更换令牌,
// and the unlocking of a client address after too many failed sign-ins. Only the admin sees it; a
// supervisor's board has no such panel. Whatever ends an account's or a device's access also closes
// its open connections on the server, so nothing more is needed here.
import { describeInLanguage as describe, showMessage } from "/ui/common/errors.js";

export const ACCOUNT_PHRASES = {
  zh: {
    accounts: "账号与设备", staffAccounts: "工作人员账号", user: "账号", role: "角色", accountState: "状态", signIns: "在线登录",
    active: "正常", disabled: "已停用", disable: "停用", enable: "启用", unlock: "解锁", resetPassword: "重置密码",
    newPassword: "{user} 的新密码（至少8个字符）", setPassword: "确定", passwordSet: "{user} 的密码已重置，其所有登录已失效。",
    unlocked: "已解锁：清除了 {n} 次失败登录。", disabledDone: "{user} 已停用，其所有登录已失效。", enabledDone: "{user} 已启用。",
    pairedDevices: "已配对设备", tokenAge: "令牌签发", revoke: "吊销", rotate: "更换令牌", revoked: "已吊销",
    revokedDone: "{device} 的令牌已吊销。", rotatedDone: "{device} 的新令牌（只显示这一次，请立即配对）：",
    ageDays: "{date}（{n}天前）", unlockAddress: "解锁IP地址", address: "IP地址",
  },
  en: {
    accounts: "Accounts and devices", staffAccounts: "Staff accounts", user: "Account", role: "Role", accountState: "State",
    signIns: "Signed in", active: "active", disabled: "disabled", disable: "Disable", enable: "Enable", unlock: "Unlock",
    resetPassword: "Reset password", newPassword: "New password for {user} (8 characters or more)", setPassword: "Set",
    passwordSet: "{user} has a new password; every sign-in of it ended.", unlocked: "Unlocked: {n} failed sign-ins forgotten.",
    disabledDone: "{user} is disabled; every sign-in of it ended.", enabledDone: "{user} may sign in again.",
    pairedDevices: "Paired devices", tokenAge: "Token issued", revoke: "Revoke", rotate: "New token", revoked: "revoked",
    revokedDone: "The token of {device} is revoked.", rotatedDone: "The new token of {device} (shown once; pair the device now):",
    ageDays: "{date} ({n} days ago)", unlockAddress: "Unlock an IP address", address: "IP address",
  },
};
const ROLES = {
  zh: { clerk: "窗口人员", backoffice: "后台审批", admin: "管理员", supervisor: "电子监察" },
  en: { clerk: "clerk", backoffice: "back office", admin: "admin", supervisor: "supervisor" },
};

const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};

export function createAccountsPanel({ session, i18n, message, onRefused, canManage }) {
  const t = i18n.t;
  const $ = (id) => document.getElementById(id);
  const state = { users: [], devices: [], editing: null };

  async function load() {
    if (!canManage()) { $("accounts").hidden = true; return; }
    const [users, devices] = await Promise.all([session.call("GET", "/users"), session.call("GET", "/device-tokens")]);
    state.users = users.users;
    state.devices = devices.devices;
    $("accounts").hidden = false;
    render();
  }

  async function act(method, path, body, done) {
    try {
      const answer = await session.call(method, path, body ? { body } : {});
      showMessage(message, done(answer), "info");
      await load();
    } catch (err) {
      if (err.code === "unauthorized") { onRefused(err); return; }
      showMessage(message, describe(err, i18n.lang));
    }
  }

  const button = (text, label, onClick) => {
    const b = el("button", { type: "button", textContent: text });
    b.setAttribute("aria-label", label);
    b.addEventListener("click", onClick);
    return b;
  };

  function userRow(u) {
    const path = `/users/${encodeURIComponent(u.username)}`;
    const actions = el("td", { className: "actions" },
      u.active
        ? button(t("disable"), `${t("disable")} ${u.username}`, () => act("POST", `${path}/disable`, null, () => ({ text: t("disabledDone", { user: u.username }) })))
        : button(t("enable"), `${t("enable")} ${u.username}`, () => act("POST", `${path}/enable`, null, () => ({ text: t("enabledDone", { user: u.username }) }))),
      button(t("unlock"), `${t("unlock")} ${u.username}`, () => act("POST", `${path}/unlock`, null, (a) => ({ text: t("unlocked", { n: a.cleared }) }))),
      button(t("resetPassword"), `${t("resetPassword")} ${u.username}`, () => { state.editing = u.username; render(); }));
    if (state.editing === u.username) {
      const input = el("input", { type: "password", autocomplete: "new-password", minLength: 8, maxLength: 200 });
      input.setAttribute("aria-label", t("newPassword", { user: u.username }));
      const set = button(t("setPassword"), `${t("setPassword")} ${u.username}`, () => {
        state.editing = null;
        act("POST", `${path}/password`, { password: input.value }, () => ({ text: t("passwordSet", { user: u.username }) }));
      });
      actions.append(el("span", { className: "add-row" }, input, set));
    }
    const role = (ROLES[i18n.lang] || ROLES.zh)[u.role] || u.role;
    const tr = el("tr", {}, el("td", { textContent: u.username }), el("td", { textContent: role }),
      el("td", { textContent: u.active ? t("active") : t("disabled") }), el("td", { textContent: String(u.tokens) }), actions);
    tr.dataset.user = u.username;
    return tr;
  }

  function deviceRow(d) {
    const path = `/device-tokens/${encodeURIComponent(d.name)}`;
    const issued = t("ageDays", { date: d.issued_at.slice(0, 10), n: d.age_days });
    const actions = el("td", { className: "actions" },
      button(t("rotate"), `${t("rotate")} ${d.name}`, () => act("POST", `${path}/rotate`, null,
        (a) => ({ text: `${t("rotatedDone", { device: d.name })} ${a.token}` }))));
    if (!d.revoked) {
      actions.prepend(button(t("revoke"), `${t("revoke")} ${d.name}`, () => act("POST", `${path}/revoke`, null,
        () => ({ text: t("revokedDone", { device: d.name }) }))));
    }
    const tr = el("tr", {}, el("td", { textContent: d.name }), el("td", { textContent: d.kind }),
      el("td", { textContent: d.revoked ? t("revoked") : issued }), actions);
    tr.dataset.device = d.name;
    return tr;
  }

  function render() {
    $("account-users").replaceChildren(...state.users.map(userRow));
    $("account-devices").replaceChildren(...state.devices.map(deviceRow));
  }

  $("unlock-address-form").addEventListener("submit", (e) => {
    e.preventDefault();
    act("POST", "/sign-in/unlock", { address: $("unlock-address").value.trim() }, (a) => ({ text: t("unlocked", { n: a.cleared }) }));
  });

  return {
    start: () => load().catch((err) => { if (err.code === "unauthorized") throw err; }),
    stop() { state.editing = null; },
    render: () => { if (canManage()) render(); },
  };
}
