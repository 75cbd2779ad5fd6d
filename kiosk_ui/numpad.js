// An on-screen number pad: kiosks are touch only, so every number (a case, a booking code, a phone,
// a ticket) is typed here. Each `.numpad[data-pad]` gets the keys 1–9, 清空, 0, 删除; a key hands
// `onKey` a change of the typed text (text) => new text. The search keyboard (keyboard.js) is made of
// the same keys.
const KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "delete"];

export function buildPad(el, onKey) {
  el.replaceChildren(...KEYS.map((key) => typingKey(key, onKey)));
}

/** One key: "clear" (清空), "delete" (删除), or one that types `typed` (by default its own label). */
export function typingKey(key, onKey, typed = key) {
  const button = document.createElement("button");
  button.type = "button";
  if (key === "clear") {
    button.dataset.i18n = "clear";  // named 清空 by i18n.apply()
    button.dataset.clear = "";
    button.addEventListener("click", () => onKey(() => ""));
  } else if (key === "delete") {
    button.dataset.i18nLabel = "deleteDigit";  // named 删除
    button.dataset.delete = "";
    button.textContent = "⌫";
    button.addEventListener("click", () => onKey((text) => text.slice(0, -1)));
  } else {
    button.dataset.key = key;
    button.textContent = key;
    button.addEventListener("click", () => onKey((text) => text + typed));
  }
  return button;
}
