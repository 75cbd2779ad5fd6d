// Browsing the hall's matters: zones → departments → matters (or search), with each queue's 号源.
import { api } from "/ui/common/api.js";
import { floorLabel, floorZone, listed } from "/ui/common/i18n.js";
import { $, PER_PAGE, i18n, state, t } from "/ui/kiosk/kiosk-state.js";
import { openConfirm, show } from "/ui/kiosk/kiosk.js";
import { maskName } from "/ui/kiosk/masks.js";
import { searchMatters } from "/ui/kiosk/search.js";

export function renderHome() {
  const zones = $("zones");
  zones.replaceChildren();
  $("reader-hint").hidden = !state.reader || Boolean(state.idCard);
  $("home-card").hidden = !state.idCard;
  if (state.idCard) $("home-card").textContent = t("cardOnHome", { name: maskName(state.idCard.name) });
  if (!state.catalog) return;
  for (const floor of state.catalog.floors) {
    const button = document.createElement("button");
    button.className = `zone zone-${floor.zone}`;
    const name = zoneName(floor.number);
    const hint = listed(i18n.lang, departmentsOn(floor.number).map(departmentLabel).slice(0, 6)) + "…";
    button.setAttribute("aria-label", `${floorLabel(i18n.lang, floor.number)} ${name} ${hint}`);  // all it shows (WCAG label in name)
    button.innerHTML = `<span class="zone-floor"></span> <span class="zone-name"></span> <span class="zone-hint"></span>`;  // spaced: its text reads as its name does
    button.querySelector(".zone-floor").textContent = floorLabel(i18n.lang, floor.number);
    button.querySelector(".zone-name").textContent = name;
    button.querySelector(".zone-hint").textContent = hint;
    button.addEventListener("click", () => openDepartments(floor.number));
    zones.append(button);
  }
}

// The zone's name (i18n.floorZone).
export function zoneName(floorNumber) {
  const floor = state.catalog.floors.find((f) => f.number === floorNumber);
  if (!floor) return "";
  return floorZone(i18n.lang, floor);
}

export function departmentsOn(floor) {
  const codes = new Set(state.catalog.matters.filter((m) => m.floor === floor).map((m) => m.department));
  return state.catalog.departments.filter((d) => codes.has(d.code));
}

export function departmentName(code) {
  const dept = state.catalog.departments.find((d) => d.code === code);
  return dept ? departmentLabel(dept) : code;
}

// In English the hall config's English name (`name_en`) where it gives one; else the Chinese name.
export function departmentLabel(department) {
  return (i18n.lang === "en" && department.name_en) || department.name;
}

export function matterName(matter) {
  return (i18n.lang === "en" && matter.name_en) || matter.name;
}

export function openDepartments(floor) {
  const items = departmentsOn(floor).map((d) => ({ label: departmentLabel(d), action: () => openMatters(floor, d.code) }));
  state.list = { kind: "departments", floor, items, page: 0 };
  renderList();
  show("list");
}

export function openMatters(floor, department) {
  const items = state.catalog.matters
    .filter((m) => m.floor === floor && m.department === department)
    .map(matterItem);
  state.list = { kind: "matters", floor, department, items, page: 0 };
  renderList();
  show("list");
  refreshStats().then(() => { if (state.screen === "list") renderList(); });
}

export function matterItem(m) {
  return { label: matterName(m), action: () => openConfirm(m), full: () => queueFull(m.queue) };
}

// ------------------------------------------------------------------ 号源: a queue's daily quota
// Read before every list of matters and every confirm screen: a queue fills up within minutes.
export async function refreshStats() {
  try {
    const rows = await api("GET", "/stats");
    state.stats = { at: Date.now(), rows: Object.fromEntries(rows.map((r) => [r.code, r])) };
  } catch (err) {
    /* the figures stay as they were; the server's refusal still covers a full queue */
  }
  return state.stats;
}

export function queueFull(code) {
  const row = state.stats && state.stats.rows[code];
  return Boolean(row && row.quota_reached);
}

export function renderList() {
  const list = state.list;
  const per = PER_PAGE[state.elder ? "elder" : "normal"];
  const pages = Math.max(1, Math.ceil(list.items.length / per));
  list.page = Math.min(list.page, pages - 1);
  const where = `${floorLabel(i18n.lang, list.floor)} ${zoneName(list.floor)}`;
  $("list-crumbs").textContent = list.kind === "matters" ? `${where} › ${departmentName(list.department)}` : where;
  $("list-title").textContent = t(list.kind === "matters" ? "chooseMatter" : "chooseDepartment");
  fillChoices($("list"), list.items.slice(list.page * per, (list.page + 1) * per));
  $("page-of").textContent = pages > 1 ? t("pageOf", { page: list.page + 1, pages }) : "";
  $("page-prev").hidden = $("page-next").hidden = pages <= 1;
  $("page-prev").disabled = list.page === 0;
  $("page-next").disabled = list.page >= pages - 1;
}

export function fillChoices(container, items) {
  container.replaceChildren();
  for (const item of items) {
    const button = document.createElement("button");
    button.className = "choice";
    button.textContent = item.label;  // the accessible name is the matter's (or department's) name
    if (item.full && item.full()) {   // 限号: the queue issued its tickets for today
      button.disabled = true;
      button.classList.add("full");
      button.setAttribute("aria-label", item.label);
      const note = document.createElement("span");
      note.className = "full-badge";
      note.textContent = t("quotaFull");
      button.append(note);
    }
    button.addEventListener("click", item.action);
    container.append(button);
  }
}

// The search screen: what was typed (on the on-screen keyboard or a hardware one) and the best
// matches, as many as a page of the list holds; more are found by typing more.
export function renderSearch() {
  const query = $("search-input").value.trim();
  const found = query && state.catalog ? searchMatters(state.catalog, query) : [];
  const per = PER_PAGE[state.elder ? "elder" : "normal"];
  fillChoices($("search-results"), found.slice(0, per).map(matterItem));
  $("search-none").hidden = !query || found.length > 0;
  $("search-more").hidden = found.length <= per;
  $("search-more").textContent = t("searchMore", { n: found.length - per });
}

export function typeSearch(change) {
  const input = $("search-input");
  input.value = change(input.value).slice(0, 40);
  renderSearch();
}

export function queueName(code) {
  const queue = state.catalog.queues.find((q) => q.code === code);
  return queue ? (i18n.lang === "en" && queue.name_en) || queue.name : code;
}
