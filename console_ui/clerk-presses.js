// The clerk's presses and their retries (issue 14, point 8).
// A press whose answer never came (the network, or the 8 s timeout): pressing the same button again
// retries it with the same Idempotency-Key and body, so a call-next that did land is answered again
// instead of finishing that citizen and calling the next one. Any answer, a refusal too, ends it.
// Call-next names the ticket the console shows (`serving`), so a press that crossed a call it had not
// seen (another tab, the pager) is answered with that call, whichever process takes it
// (docs/security.md).
import { newIdempotencyKey } from "/ui/common/api.js";

export function createPresses() {
  let unanswered = null; // { window, name, body, key }
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

  return {
    /** The Idempotency-Key of this press: its unanswered twin's, or a new one. */
    keyFor(window, name, body) {
      const press = { window, name, body: body === undefined ? null : body };
      if (!unanswered || !same([unanswered.window, unanswered.name, unanswered.body], [window, name, press.body])) {
        unanswered = { ...press, key: newIdempotencyKey() };
      }
      return unanswered.key;
    },
    /** Call-next's body: the unanswered call-next's own when this is its retry (a push may have shown
     * its call meanwhile, and the retry is the same press), else what the console shows now. */
    callNextBody(window, current) {
      if (unanswered && unanswered.name === "callNext" && unanswered.window === window) return unanswered.body;
      return { serving: current ? current.id : null };
    },
    /** The server answered (a refusal too): the next press is a new one. */
    answered() { unanswered = null; },
  };
}
