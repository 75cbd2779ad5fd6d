// The kiosk's own ticket printer (issue 13). Whether a ticket would print now comes over /kiosk
// (`kiosk` {"printer": {"name", "state", "ready"} | null} on each connect, `printer` on each change);
// whether this ticket's slip prints comes with the ticket (POST /tickets answers `slip` {"printer",
// "state", "printing"}). A citizen hears before issuing that the printer is down, is issued the ticket
// all the same, and the ticket screen says the slip did not print: photograph it or scan its code.
import { $, state, t } from "/ui/kiosk/kiosk-state.js";

export function followPrinter(socket, onChange) {
  const take = (printer) => {
    state.printer = printer && printer.name ? printer : null;
    onChange();
  };
  socket.on("kiosk", (data) => take(data && data.printer));
  socket.on("printer", take);
}

export function printerDown() {
  return Boolean(state.printer && !state.printer.ready);
}

function downSentence(printerState) {
  return t(printerState === "paper_out" ? "printerPaperOut" : "printerDown");
}

// The confirm screen: said before the citizen issues.
export function renderPrinterWarning() {
  const note = $("confirm-printer");
  note.hidden = !printerDown();
  note.textContent = printerDown() ? downSentence(state.printer.state) : "";
}

// The ticket screen: take the slip, or photograph / scan the screen. A printer that went down after
// issuing drops the slip (the server never prints it later by itself), so that counts as not printed.
export function renderSlip() {
  const note = $("ticket-slip");
  const slip = state.slip;
  const printed = Boolean(slip && slip.printing && !printerDown());
  note.hidden = !slip;
  note.dataset.printed = String(printed);
  note.textContent = !slip ? "" : printed ? t("slipPrinting") : t("slipNotPrinted");
  $("screen-ticket").classList.toggle("no-slip", Boolean(slip) && !printed);
}
