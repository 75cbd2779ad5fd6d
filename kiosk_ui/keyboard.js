// The search screen's on-screen keyboard: a touch kiosk has no keys of its own. Letters A–Z (pinyin,
// full or by initials: 社保卡 is "shebaoka" or "sbk"), digits and "-" (matter codes), 删除 and 清空;
// every key at least 60×60 px (keyboard.css). A key hands `onKey` a change of the typed text
// (text) => new text, as the number pad does (numpad.js); a hardware keyboard types in the field too.
import { typingKey } from "/ui/kiosk/numpad.js";

const ROWS = [
  ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"],
  ["Q", "W", "E", "R", "T", "Y", "U", "I", "O", "P"],
  ["A", "S", "D", "F", "G", "H", "J", "K", "L", "-"],
  ["Z", "X", "C", "V", "B", "N", "M", "delete", "clear"],
];

export function buildKeyboard(el, onKey) {
  el.replaceChildren();
  for (const row of ROWS) {
    const line = document.createElement("div");
    line.className = "keyboard-row";
    // Letters go in as lower case: pinyin is written so, and the search ignores case anyway.
    for (const key of row) line.append(typingKey(key, onKey, key.toLowerCase()));
    el.append(line);
  }
}
