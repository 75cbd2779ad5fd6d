// Pairing a device's page once with its token (field 设备令牌 #pair-token, button 配对, sentences in
// #pair-message): the kiosk and the window's rating pad. The token is kept in localStorage.
import { api } from "/ui/common/api.js";
import { describe, showMessage } from "/ui/common/errors.js";

/** Reads the token field and asks the server who it is. `refusal(me)` is null for a token this page
 *  takes, else the sentence saying why not; a token taken is kept and handed to `paired(token)`. */
export async function pairWithToken({ storeKey, lang, say, refusal, paired }) {
  const field = document.getElementById("pair-token");
  const message = document.getElementById("pair-message");
  const token = field.value.trim();
  if (!token) { showMessage(message, { text: say("tokenMissing") }); return; }
  try {
    const me = await api("GET", "/me", { token });
    const why = refusal(me);
    if (why) { showMessage(message, { text: why }); return; }
    localStorage.setItem(storeKey, token);
    field.value = "";
    showMessage(message, null);
    paired(token);
  } catch (err) {
    showMessage(message, describe(err, lang, { codes: { unauthorized: say("badToken") } }));
  }
}
