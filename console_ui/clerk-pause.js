// The clerk's 暂停 asks why (CONTRACT v2: a pause names one of the hall's reasons, GET /catalog
// hall.pause_reasons; 电子监察 reports them): a dialog with one button per reason, named by it (午休,
// 会议 …), also chosen with the digit keys 1–9 of a keypad. The window's badge then reads
// "暂停中：午休" until 恢复.
import { hallTime } from "/ui/common/i18n.js";

export const PAUSE_PHRASES = {
  zh: { pauseWhy: "请选择暂停原因", pausedFor: "暂停中：{reason}", pausedWith: "窗口已暂停服务（{reason}）。",
    chooseReason: "请选择一个暂停原因。", pauseNotice: "暂停中：{reason}{since}。按“恢复”（F7）继续叫号。", pauseSince: "，{time}起" },
  en: { pauseWhy: "Why pause?", pausedFor: "Paused: {reason}", pausedWith: "The window is paused ({reason}).",
    chooseReason: "Choose a reason for the pause.", pauseNotice: "Paused: {reason}{since}. Press Resume (F7) to call again.",
    pauseSince: " since {time}" },
};

// The demo hall's reasons in English; a hall's own reasons show as configured.
const REASONS_EN = { 午休: "Lunch break", 会议: "Meeting", 业务咨询: "Consultation", 临时离岗: "Away briefly" };

export function reasonLabel(reason, lang) {
  return lang === "en" && REASONS_EN[reason] ? REASONS_EN[reason] : reason;
}

/** `choices()` the hall's pause reasons; `pause(reason)` sends the pause. */
export function createPauseChooser({ i18n, choices, pause }) {
  const $ = (id) => document.getElementById(id);
  const dialog = $("pause-dialog");

  function fill() {
    $("pause-reasons").replaceChildren(...choices().map((reason, i) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "reason";
      button.dataset.choice = reason;
      const label = reasonLabel(reason, i18n.lang);
      button.setAttribute("aria-label", label);
      if (i < 9) button.setAttribute("aria-keyshortcuts", String(i + 1));
      button.append(Object.assign(document.createElement("kbd"), { textContent: i < 9 ? String(i + 1) : "" }),
        Object.assign(document.createElement("span"), { textContent: label }));
      button.addEventListener("click", () => choose(reason));
      return button;
    }));
  }

  function choose(reason) {
    dialog.close();
    pause(reason);
  }

  dialog.addEventListener("keydown", (event) => {
    const index = Number(event.key) - 1;
    const list = choices();
    if (Number.isInteger(index) && index >= 0 && index < Math.min(list.length, 9)) {
      event.preventDefault();
      choose(list[index]);
    }
  });
  $("pause-cancel").addEventListener("click", () => dialog.close());

  return {
    open() {
      fill();
      dialog.showModal();
      const first = $("pause-reasons").querySelector("button");
      if (first) first.focus();
    },
    isOpen: () => dialog.open,
    /** The window's paused state in words ("暂停中：午休", and the notice over the current ticket); "" otherwise. */
    show(w) {
      const notice = $("pause-notice");
      notice.hidden = !(w.state === "paused" && w.pause_reason);
      if (notice.hidden) return "";
      const reason = reasonLabel(w.pause_reason, i18n.lang);
      const time = w.state_since ? hallTime(w.state_since) : "";
      notice.textContent = i18n.t("pauseNotice", { reason, since: time ? i18n.t("pauseSince", { time }) : "" });
      return i18n.t("pausedFor", { reason });
    },
  };
}
