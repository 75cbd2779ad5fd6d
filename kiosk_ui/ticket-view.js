// The issued ticket on screen, with the way to its floor.
import { floorLabel, waitText } from "/ui/common/i18n.js";
import { matterName } from "/ui/kiosk/browse.js";
import { showDirection } from "/ui/kiosk/directions.js";
import { $, i18n, kioskFloor, state, t } from "/ui/kiosk/kiosk-state.js";

export function renderTicket() {
  const ticket = state.ticket;
  const matter = state.catalog.matters.find((m) => m.id === ticket.matter);
  $("ticket-number").textContent = ticket.number;
  const kind = state.ticketVia === "requeue" ? t("kindRequeued") : ticket.kind === "appointment" ? t("kindAppointment") : "";
  $("ticket-kind").hidden = !kind;
  $("ticket-kind").textContent = kind;
  $("ticket-kind").dataset.kind = state.ticketVia === "requeue" ? "requeued" : ticket.kind || "walk_in";
  const holder = ticket.holder && ticket.holder.name;
  $("ticket-holder").hidden = !holder;
  $("ticket-holder").textContent = holder ? t("holder", { name: holder }) : "";
  $("ticket-matter").textContent = matter ? matterName(matter) : ticket.case ? t("pickupOf", { case: ticket.case }) : "";
  showDirection($("ticket-direction"), ticket);
  $("ticket-ahead").textContent = t("people", { n: ticket.ahead ?? 0 });
  $("ticket-eta").textContent = waitText(i18n.lang, ticket.eta_minutes, ticket.eta_range);
  $("ticket-qr").src = `/t/${encodeURIComponent(ticket.id)}/qr.svg`;
  $("ticket-qr").alt = t("scanToTrack");
}
