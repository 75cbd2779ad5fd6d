// The admin board's head: the hall's figures at a glance (windows open, staffed, paused; tickets
// waiting; the longest wait) and the filters of the windows table (only windows open today, by state;
// the floor tabs, with 全部楼层, choose the floor). Figures count the whole hall from the same windows
// and queue stats the board shows, so they agree with GET /windows and GET /stats.
export const FILTER_PHRASES = {
  zh: {
    summary: "大厅概况", figOpen: "开放窗口", figStaffed: "有人值守", figPaused: "暂停服务", figClosed: "未开放",
    figWaiting: "等候人数", figLongest: "最长等候", figMinutes: "{n} 分钟",
    onlyOpen: "只看开放中的窗口", byState: "状态", anyState: "全部状态", allFloors: "全部楼层",
    shownRows: "显示 {n} / {total} 个窗口", noRows: "没有符合筛选条件的窗口。",
  },
  en: {
    summary: "The hall now", figOpen: "Windows open", figStaffed: "Staffed", figPaused: "Paused", figClosed: "Closed",
    figWaiting: "Waiting", figLongest: "Longest wait", figMinutes: "{n} min",
    onlyOpen: "Windows in service only", byState: "State", anyState: "Any state", allFloors: "All floors",
    shownRows: "{n} of {total} windows shown", noRows: "No window matches the filters.",
  },
};

const STATES = ["open", "paused", "closed"];
export const ALL_FLOORS = 0;

/** The hall's figures from its windows and queue stats. */
export function hallFigures(windows, stats) {
  const inService = windows.filter((w) => w.state !== "closed");
  return {
    open: windows.filter((w) => w.state === "open").length,
    staffed: inService.filter((w) => w.clerk).length,
    paused: windows.filter((w) => w.state === "paused").length,
    closed: windows.filter((w) => w.state === "closed").length,
    waiting: stats.reduce((sum, q) => sum + (q.waiting || 0), 0),
    longest: Math.floor(Math.max(0, ...stats.map((q) => q.longest_wait_s || 0)) / 60),
  };
}

/**
 * @param i18n the board's i18n; states the WINDOW_STATES words
 * @param onChange called when a filter changes (the board re-renders its rows)
 */
export function createBoardFilters({ i18n, states, onChange }) {
  const t = i18n.t;
  const $ = (id) => document.getElementById(id);
  const filter = { onlyOpen: false, state: "" };

  $("filter-open").addEventListener("change", (e) => { filter.onlyOpen = e.target.checked; onChange(); });
  $("filter-state").addEventListener("change", (e) => { filter.state = e.target.value; onChange(); });

  function fillStates() {
    const select = $("filter-state");
    select.replaceChildren(Object.assign(document.createElement("option"), { value: "", textContent: t("anyState") }),
      ...STATES.map((s) => Object.assign(document.createElement("option"), { value: s, textContent: states[i18n.lang][s] })));
    select.value = filter.state;
  }

  /** Whether a window's row is shown (the floor: the board's own tabs). */
  function keeps(w, floor) {
    if (floor !== ALL_FLOORS && w.floor !== floor) return false;
    if (filter.onlyOpen && w.state === "closed") return false;
    return !filter.state || w.state === filter.state;
  }

  function renderSummary(windows, stats) {
    const f = hallFigures(windows, stats);
    const figures = [["open", "figOpen", f.open], ["staffed", "figStaffed", f.staffed], ["paused", "figPaused", f.paused],
      ["closed", "figClosed", f.closed], ["waiting", "figWaiting", f.waiting], ["longest", "figLongest", t("figMinutes", { n: f.longest })]];
    $("board-summary").replaceChildren(...figures.map(([key, label, value]) => {
      const div = Object.assign(document.createElement("div"), { className: "fig" });
      div.dataset.figure = key;
      div.append(Object.assign(document.createElement("span"), { className: "fig-label", textContent: t(label) }),
        Object.assign(document.createElement("strong"), { className: "fig-value", textContent: String(value) }));
      return div;
    }));
  }

  function renderCount(shown, total) {
    $("filter-count").textContent = shown ? t("shownRows", { n: shown, total }) : t("noRows");
  }

  return { keeps, renderSummary, renderCount, fillStates };
}
