// Staff sign-in shared by the clerk and admin pages (and the back office): fields labelled
// 用户名 and 密码, button 登录. The token is kept for this browser tab only.
import { api, ApiError } from "/ui/common/api.js";
import { describeInLanguage as describe, showMessage } from "/ui/common/errors.js";

export const SIGNIN_PHRASES = {
  zh: {
    username: "用户名", password: "密码", login: "登录", logout: "退出",
    needCredentials: "请输入用户名和密码。",
    badLogin: "用户名或密码不正确，请重新输入。",
    throttled: "登录失败次数过多，请稍后再试。",
    expired: "登录已失效，请重新登录。",
  },
  en: {
    username: "Username", password: "Password", login: "Sign in", logout: "Sign out",
    needCredentials: "Enter your username and password.",
    badLogin: "The username or password is not right; enter them again.",
    throttled: "Too many failed sign-ins; try again in a while.",
    expired: "Your sign-in has expired; sign in again.",
  },
};

export class StaffSession {
  constructor(storeKey) {
    this.storeKey = storeKey;
    this.token = sessionStorage.getItem(storeKey);
    this.username = sessionStorage.getItem(`${storeKey}.user`);
  }

  async login(username, password) {
    const answer = await api("POST", "/auth/login", { body: { username, password } });
    this.token = answer.token;
    this.username = username;
    sessionStorage.setItem(this.storeKey, answer.token);
    sessionStorage.setItem(`${this.storeKey}.user`, username);
    return answer;
  }

  async me() {
    return api("GET", "/me", { token: this.token });
  }

  call(method, path, options = {}) {
    return api(method, path, { ...options, token: this.token });
  }

  forget() {
    this.token = null;
    this.username = null;
    sessionStorage.removeItem(this.storeKey);
    sessionStorage.removeItem(`${this.storeKey}.user`);
  }

  async logout() {
    if (this.token) { try { await this.call("POST", "/auth/logout"); } catch { /* the token may be gone already */ } }
    this.forget();
  }
}

/** The sentence for a failed sign-in. */
export function loginRefusal(err, i18n) {
  const p = SIGNIN_PHRASES[i18n.lang];
  // A 429 without a reason (a proxy's own limit) is a throttle too.
  const throttled = err instanceof ApiError && err.status === 429 ? { unavailable: p.throttled, invalid: p.throttled } : {};
  return describe(err, i18n.lang, {
    reasons: {
      too_many_attempts: p.throttled, wrong_credentials: p.badLogin,
      token_invalid: p.expired, token_missing: p.expired,
    },
    codes: { unauthorized: p.badLogin, invalid: p.needCredentials, ...throttled },
  });
}

export { showMessage };
