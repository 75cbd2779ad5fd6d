// The reports page's charts, drawn with ECharts (a classic script defining `echarts`, vendored:
// ui_common/vendor/README.md): the grouping's served and no-show tickets, the wait by hour of issue,
// and the ratings with the satisfaction rate. No animation: a chart shows its figures at once.
const FONT = '"WenQuanYi Zen Hei", "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif';
const COLOR = { served: "#1b7f3b", noShow: "#c62828", avg: "#0b4f9c", p90: "#b26a00" };
const LEVEL_COLORS = ["#1b7f3b", "#5fa85f", "#a5c94f", "#ef8a17", "#c62828"];
const minutes = (s) => (s == null ? null : Math.round(s / 6) / 10);

export function createCharts(boxes) {
  const echarts = window.echarts;
  const charts = Object.fromEntries(Object.entries(boxes).map(([name, el]) => [name, echarts.init(el, null, { renderer: "canvas" })]));
  window.addEventListener("resize", () => { for (const chart of Object.values(charts)) chart.resize(); });
  const base = { animation: false, textStyle: { fontFamily: FONT, fontSize: 13 } };
  const empty = (text) => ({ ...base, graphic: { type: "text", left: "center", top: "middle", style: { text, fontSize: 16, fill: "#5b6b7b", fontFamily: FONT } } });

  return {
    clear() { for (const chart of Object.values(charts)) chart.clear(); },

    /** Served and no-show per row of the current grouping. */
    groups(rows, t) {
      if (!rows.length) { charts.groups.setOption(empty(t("noRows")), true); return; }
      const many = rows.length > 16;
      const names = rows.map((r) => r.name);
      charts.groups.setOption({
        ...base,
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { top: 0, data: [t("served"), t("noShow")] },
        grid: { left: 12, right: 16, top: 34, bottom: many ? 34 : 8, containLabel: true },
        xAxis: { type: "category", data: names, axisLabel: { interval: 0, rotate: names.length > 5 ? 30 : 0, width: 120, overflow: "truncate" } },
        yAxis: { type: "value", minInterval: 1 },
        dataZoom: many ? [{ type: "slider", start: 0, end: Math.max(10, Math.round(1600 / rows.length)), height: 14, bottom: 6 }] : [],
        series: [
          { name: t("served"), type: "bar", data: rows.map((r) => r.served), itemStyle: { color: COLOR.served }, barMaxWidth: 36 },
          { name: t("noShow"), type: "bar", data: rows.map((r) => r.no_show), itemStyle: { color: COLOR.noShow }, barMaxWidth: 36 },
        ],
      }, true);
    },

    /** Average and 90th-percentile wait (minutes) per hour of issue. */
    waits(hours, t) {
      const called = hours.filter((h) => h.avg_wait_s != null);
      if (!called.length) { charts.waits.setOption(empty(t("noWaits")), true); return; }
      charts.waits.setOption({
        ...base,
        tooltip: { trigger: "axis", valueFormatter: (v) => (v == null ? "—" : t("minutesValue", { n: v })) },
        legend: { top: 0, data: [t("avgWait"), t("p90Wait")] },
        grid: { left: 12, right: 16, top: 34, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: hours.map((h) => t("hourLabel", { h: h.key })) },
        yAxis: { type: "value" },
        series: [
          { name: t("avgWait"), type: "bar", data: hours.map((h) => minutes(h.avg_wait_s)), itemStyle: { color: COLOR.avg }, barMaxWidth: 30 },
          { name: t("p90Wait"), type: "line", data: hours.map((h) => minutes(h.p90_wait_s)), itemStyle: { color: COLOR.p90 }, symbolSize: 7 },
        ],
      }, true);
    },

    /** The five levels counted, around the satisfaction rate. */
    satisfaction(totals, t, levelName) {
      // Each level keeps its own colour, whichever levels have no ratings.
      const counts = [1, 2, 3, 4, 5].map((level) => ({ name: levelName(level), value: totals.ratings[String(level)] || 0,
                                                        itemStyle: { color: LEVEL_COLORS[level - 1] } }));
      if (totals.satisfaction == null) { charts.satisfaction.setOption(empty(t("noRatings")), true); return; }
      charts.satisfaction.setOption({
        ...base,
        tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
        legend: { bottom: 0, itemWidth: 12, itemHeight: 10, textStyle: { fontSize: 12 } },
        title: { text: `${(totals.satisfaction * 100).toFixed(1)}%`, subtext: t("satisfaction"), left: "center", top: "36%",
                 textStyle: { fontSize: 24, color: "#083a73", fontFamily: FONT }, subtextStyle: { fontSize: 13, fontFamily: FONT } },
        series: [{ type: "pie", radius: ["48%", "70%"], center: ["50%", "45%"], avoidLabelOverlap: true,
                   label: { show: false }, data: counts.filter((c) => c.value > 0) }],
      }, true);
    },
  };
}
