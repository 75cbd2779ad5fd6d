// A staff tab whose sign-in has ended elsewhere (signed out in another tab, the account disabled or
// its password changed, the token expired or revoked: docs/security.md) must not look as if it still
// works. The server closes such a tab's socket (server/push/sessions.py); this guard then asks GET /me,
// and when the token is gone it says 请重新登录 in a banner and disables every working control (the
// page's working area is a <fieldset>, so rows drawn later are disabled too) until the person signs
// in again. A page may also mark itself stale for its own reason (the clerk's window taken over).
export const STALE_PHRASES = {
  zh: {
    staleGone: "登录已失效（已在别处退出、账号被停用或改了密码、或登录过期），请重新登录。",
    staleSignIn: "重新登录",
  },
  en: {
    staleGone: "This sign-in has ended (signed out elsewhere, the account disabled or its password changed, or expired); sign in again.",
    staleSignIn: "Sign in again",
  },
};

/**
 * @param banner the page's stale banner: an element holding a .stale-text span and a .stale-sign-in button
 * @param working the <fieldset> around the page's working area
 * @param also further controls outside it (header buttons) to disable while stale
 * @param onSignIn what 重新登录 does (show the sign-in form)
 * @param i18n the page's i18n (its phrases include STALE_PHRASES)
 */
export function createStaleGuard({ banner, working, also = () => [], onSignIn, i18n }) {
  const state = { stale: false, key: null };
  const text = banner.querySelector(".stale-text");
  const button = banner.querySelector(".stale-sign-in");
  button.addEventListener("click", () => onSignIn());

  function paint() {
    text.textContent = state.key ? i18n.t(state.key) : "";
    button.textContent = i18n.t("staleSignIn");
  }

  /** Stale from now on: `key` names the page's sentence (default: the sign-in has ended). */
  function mark(key = "staleGone") {
    state.stale = true;
    state.key = key;
    working.disabled = true;
    for (const el of also()) el.disabled = true;
    for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
    banner.hidden = false;
    const link = document.getElementById("link");  // not "reconnecting": the server ended this link on purpose
    if (link) link.hidden = true;
    document.body.dataset.stale = "true";
    paint();
  }

  /** Signed in again: the working controls are the page's own again. */
  function clear() {
    state.stale = false;
    state.key = null;
    working.disabled = false;
    for (const el of also()) el.disabled = false;
    banner.hidden = true;
    delete document.body.dataset.stale;
  }

  /**
   * Watch a live socket: closed by the server (the way it ends a revoked sign-in), or refused when it
   * reconnects, it asks `check` (GET /me) whether the token still stands; unauthorized → stale (and the
   * socket stops trying); otherwise a closed socket reconnects.
   */
  function watch(socket, check) {
    const ask = async (reconnect) => {
      if (state.stale) return;
      try {
        await check();
        if (reconnect) socket.connect();  // still signed in: the server closed it for another cause
      } catch (err) {
        if (err.code !== "unauthorized") { if (reconnect) socket.connect(); return; }
        socket.disconnect();
        mark();
      }
    };
    socket.on("disconnect", (reason) => { if (reason === "io server disconnect") ask(true); });
    socket.on("connect_error", () => ask(false));
  }

  i18n.onChange(() => { if (state.stale) paint(); });
  return { mark, clear, watch, isStale: () => state.stale };
}
