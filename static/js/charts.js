// Pilotage charts: a small generic layer over Apache ECharts (static/vendor/echarts.min.js).
//
// Any element with data-chart="trend|sparkline|heatmap|bars|cumulative" and data-chart-source="<id>" is drawn
// from the JSON block with that id (rendered by Django's json_script, so CSP needs no unsafe-inline).
// Charts are drawn on load, again after every HTMX swap, and resized with their container.
// Every chart is decorative for assistive technology: the page carries a table or text equivalent.
//
// Data shapes (numbers are plain JSON numbers or null; dates are ISO strings):
//   format:    {style: "currency"|"percent"|"decimal", currency: "EUR", decimals: 0, suffix: " j", scale: 0.01}
//              values are multiplied by `scale` before formatting (percent style wants ratios).
//   trend:     {format, periods: ["2026-01-01", …], names: {actual, target, forecast, previous_year},
//               actual: [...], target: [...] | null, forecast: [...] | null, previous_year: [...] | null,
//               annotations: [{period: "2026-03-01", text: "…"}]}
//   sparkline: {format, periods: [...], values: [...]}
//   heatmap:   {periods: [...], rows: ["Revenue", …], statuses: {on_track: "On track", …},
//               cells: [{x: col, y: row, status: "on_track", value: "12 345 €", label: "On track"}]}
//   bars:      {format, labels: [...], values: [...], name: "…"}
//   cumulative: {format, start, end, points: [[iso day, value], …], path: [[start, 0], [end, target]],
//               forecast: [[today, value], [end, value]] | null, names: {actual, path, forecast}}
(function () {
  "use strict";
  if (window.PilotageCharts) return; // loaded twice (two panels on one page): one instance is enough

  const COLOURS = {
    actual: "#1f4e8c", target: "#5b6675", forecast: "#1f4e8c", previous_year: "#9aa6b8",
    grid: "#dde2e8", text: "#1b2330", muted: "#5b6675",
    on_track: "#1a7f37", at_risk: "#b7791f", off_track: "#c0362c", no_data: "#c9ced6",
  };
  const STATUS_ORDER = ["no_data", "off_track", "at_risk", "on_track"];
  const STATUS_MARK = { on_track: "●", at_risk: "▲", off_track: "✕", no_data: "–" };
  const instances = new Set();

  function lang() {
    return document.documentElement.lang || navigator.language || "en";
  }

  function reducedMotion() {
    return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  function numberFormat(opts) {
    try {
      return new Intl.NumberFormat(lang(), opts);
    } catch (e) {
      return new Intl.NumberFormat(undefined, opts);
    }
  }

  function baseOptions(f) {
    const opts = {};
    if (f.style === "currency") {
      opts.style = "currency";
      opts.currency = f.currency || "EUR";
    } else if (f.style === "percent") {
      opts.style = "percent";
    }
    return opts;
  }

  // The fraction digits a compact label needs to show this value exactly ("1,5 k€", not "2 k€"): axis ticks
  // are round multiples of their interval, so exact labels of two different ticks never read the same.
  function compactDigits(shown) {
    const abs = Math.abs(shown);
    const unit = abs >= 1e9 ? 1e9 : abs >= 1e6 ? 1e6 : abs >= 1e3 ? 1e3 : 1;
    const scaled = abs / unit;
    for (let d = 0; d < 4; d += 1) {
      const rounded = Math.round(scaled * 10 ** d) / 10 ** d;
      if (Math.abs(rounded - scaled) <= 1e-9 * Math.max(1, scaled)) return d;
    }
    return 4;
  }

  // One formatter per chart: full precision for tooltips, compact for axes.
  function formatter(format, compact) {
    const f = format || {};
    const decimals = f.decimals == null ? (f.style === "percent" ? 1 : 0) : f.decimals;
    const suffix = f.suffix || "";
    const scale = f.scale || 1;
    if (compact) {
      const cache = new Map();
      return (value) => {
        if (value == null || Number.isNaN(value)) return "–";
        const v = value * scale;
        const digits = compactDigits(f.style === "percent" ? v * 100 : v);
        if (!cache.has(digits)) {
          cache.set(digits, numberFormat(Object.assign(baseOptions(f), {
            notation: "compact", minimumFractionDigits: 0, maximumFractionDigits: digits,
          })));
        }
        return cache.get(digits).format(v) + suffix;
      };
    }
    const nf = numberFormat(Object.assign(baseOptions(f), {
      minimumFractionDigits: decimals, maximumFractionDigits: decimals,
    }));
    return (value) => (value == null || Number.isNaN(value) ? "–" : nf.format(value * scale) + suffix);
  }

  function monthLabel(iso, long) {
    const d = new Date(iso + "T00:00:00");
    if (Number.isNaN(d.getTime())) return iso;
    return new Intl.DateTimeFormat(lang(), long ? { month: "long", year: "numeric" } : { month: "short", year: "2-digit" }).format(d);
  }

  function readData(el) {
    const source = document.getElementById(el.dataset.chartSource || "");
    if (!source) return null;
    try {
      return JSON.parse(source.textContent);
    } catch (e) {
      return null;
    }
  }

  function baseOption() {
    return {
      animation: !reducedMotion(),
      textStyle: { fontFamily: getComputedStyle(document.body).fontFamily, color: COLOURS.text },
      aria: { enabled: false },
    };
  }

  function trendOption(data) {
    const fmt = formatter(data.format, false);
    const axisFmt = formatter(data.format, true);
    const names = data.names || {};
    const periods = data.periods || [];
    const series = [];
    const legend = [];

    if (data.previous_year && data.previous_year.some((v) => v != null)) {
      legend.push(names.previous_year);
      series.push({
        name: names.previous_year, type: "line", data: data.previous_year, symbol: "none", connectNulls: false,
        lineStyle: { width: 1.5, color: COLOURS.previous_year }, itemStyle: { color: COLOURS.previous_year },
        z: 1,
      });
    }
    if (data.target && data.target.some((v) => v != null)) {
      legend.push(names.target);
      series.push({
        name: names.target, type: "line", step: "middle", data: data.target, symbol: "none",
        lineStyle: { width: 2, type: "dotted", color: COLOURS.target }, itemStyle: { color: COLOURS.target },
        z: 2,
      });
    }
    const annotations = (data.annotations || [])
      .map((a) => {
        const i = periods.indexOf(a.period);
        if (i < 0 || data.actual[i] == null) return null;
        return { coord: [i, data.actual[i]], value: "✎", name: a.text };
      })
      .filter(Boolean);
    legend.push(names.actual);
    series.push({
      name: names.actual, type: "line", data: data.actual, connectNulls: false, symbolSize: 6,
      lineStyle: { width: 2.5, color: COLOURS.actual }, itemStyle: { color: COLOURS.actual },
      markPoint: annotations.length ? {
        symbol: "pin", symbolSize: 34, data: annotations,
        itemStyle: { color: "#6b4fa0" }, label: { color: "#fff", fontSize: 11 },
        tooltip: { trigger: "item", formatter: (p) => escapeHtml(p.name) },
      } : undefined,
      z: 3,
    });
    if (data.forecast && data.forecast.some((v) => v != null)) {
      legend.push(names.forecast);
      series.push({
        name: names.forecast, type: "line", data: data.forecast, connectNulls: false, symbol: "emptyCircle",
        symbolSize: 6, lineStyle: { width: 2, type: "dashed", color: COLOURS.forecast },
        itemStyle: { color: COLOURS.forecast }, z: 3,
      });
    }

    return Object.assign(baseOption(), {
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      legend: { data: legend, top: 0, left: 0, itemWidth: 18, textStyle: { color: COLOURS.muted } },
      tooltip: {
        trigger: "axis",
        formatter: (items) => {
          if (!items.length) return "";
          const lines = [`<strong>${escapeHtml(monthLabel(periods[items[0].dataIndex], true))}</strong>`];
          const seen = new Set();
          for (const it of items) {
            if (it.value == null || seen.has(it.seriesName)) continue;
            // the forecast repeats the last actual point so the dashed line joins it; say it once
            if (it.seriesName === names.forecast && data.actual[it.dataIndex] != null) continue;
            seen.add(it.seriesName);
            lines.push(`${it.marker} ${escapeHtml(it.seriesName)}: <strong>${escapeHtml(fmt(it.value))}</strong>`);
          }
          for (const a of data.annotations || []) {
            if (a.period === periods[items[0].dataIndex]) lines.push(`✎ ${escapeHtml(a.text)}`);
          }
          return lines.join("<br>");
        },
      },
      xAxis: {
        type: "category", data: periods.map((p) => monthLabel(p, false)), boundaryGap: false,
        axisLine: { lineStyle: { color: COLOURS.grid } }, axisLabel: { color: COLOURS.muted, hideOverlap: true },
      },
      yAxis: {
        type: "value", scale: false, splitLine: { lineStyle: { color: COLOURS.grid } },
        axisLabel: { color: COLOURS.muted, formatter: (v) => axisFmt(v) },
      },
      series,
    });
  }

  function sparklineOption(data) {
    const fmt = formatter(data.format, false);
    const values = data.values || [];
    let last = -1;
    values.forEach((v, i) => { if (v != null) last = i; });
    return Object.assign(baseOption(), {
      animation: false,
      grid: { left: 2, right: 4, top: 4, bottom: 4 },
      xAxis: { type: "category", show: false, data: (data.periods || []).map((p) => monthLabel(p, false)), boundaryGap: false },
      yAxis: { type: "value", show: false, scale: true },
      tooltip: {
        trigger: "axis", confine: true, axisPointer: { type: "none" },
        formatter: (items) => items.length ? `${escapeHtml(items[0].name)}: ${escapeHtml(fmt(items[0].value))}` : "",
      },
      series: [{
        type: "line", data: values.map((v, i) => (i === last ? { value: v, symbol: "circle", symbolSize: 5 } : v)),
        symbol: "none", connectNulls: false,
        lineStyle: { width: 1.5, color: COLOURS.actual }, itemStyle: { color: COLOURS.actual },
        areaStyle: { color: "rgba(31, 78, 140, 0.08)" },
      }],
    });
  }

  function heatmapOption(data, el) {
    const narrow = el && el.clientWidth < 560; // the legend does not fit: cells carry their symbol anyway
    const labelWidth = narrow ? 96 : 200;
    const statuses = data.statuses || {};
    const periods = data.periods || [];
    const rows = data.rows || [];
    const cells = (data.cells || []).map((c) => ({
      value: [c.x, c.y, STATUS_ORDER.indexOf(c.status)], status: c.status, shown: c.value, label: c.label,
    }));
    return Object.assign(baseOption(), {
      grid: { left: labelWidth + 12, right: 8, top: 8, bottom: narrow ? 28 : 60 },
      tooltip: {
        position: "top",
        formatter: (p) => {
          const d = p.data;
          return `<strong>${escapeHtml(rows[d.value[1]])}</strong> · ${escapeHtml(monthLabel(periods[d.value[0]], true))}<br>` +
            `${escapeHtml(d.shown || "–")} · ${STATUS_MARK[d.status] || ""} ${escapeHtml(d.label || statuses[d.status] || "")}`;
        },
      },
      xAxis: {
        type: "category", data: periods.map((p) => monthLabel(p, false)), splitArea: { show: false },
        axisLabel: { color: COLOURS.muted, hideOverlap: true }, axisLine: { show: false }, axisTick: { show: false },
      },
      yAxis: {
        type: "category", data: rows, inverse: true,
        axisLabel: { color: COLOURS.text, width: labelWidth, overflow: "truncate", ellipsis: "…" },
        axisLine: { show: false }, axisTick: { show: false },
      },
      visualMap: {
        type: "piecewise", orient: "horizontal", left: "center", bottom: 0, dimension: 2, show: !narrow,
        pieces: STATUS_ORDER.map((s, i) => ({ value: i, label: `${STATUS_MARK[s]} ${statuses[s] || s}`, color: COLOURS[s] })),
        textStyle: { color: COLOURS.muted },
      },
      series: [{
        type: "heatmap", data: cells,
        label: { show: true, color: "#fff", fontSize: 11, formatter: (p) => STATUS_MARK[p.data.status] || "" },
        itemStyle: { borderColor: "#fff", borderWidth: 2, borderRadius: 3 },
        emphasis: { itemStyle: { borderColor: COLOURS.text } },
      }],
    });
  }

  function barsOption(data) {
    const fmt = formatter(data.format, false);
    const axisFmt = formatter(data.format, true);
    return Object.assign(baseOption(), {
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
        formatter: (items) => items.length ? `${escapeHtml(items[0].name)}: <strong>${escapeHtml(fmt(items[0].value))}</strong>` : "" },
      xAxis: { type: "category", data: data.labels || [], axisLabel: { color: COLOURS.muted, interval: 0, hideOverlap: true } },
      yAxis: { type: "value", splitLine: { lineStyle: { color: COLOURS.grid } }, axisLabel: { color: COLOURS.muted, formatter: (v) => axisFmt(v) } },
      series: [{
        name: data.name || "", type: "bar", data: data.values || [], barMaxWidth: 48,
        itemStyle: { color: COLOURS.actual, borderRadius: [3, 3, 0, 0] },
        // A bar says its own figure in full (6 041 €); only the axis ticks are compact.
        label: { show: true, position: "top", color: COLOURS.text, formatter: (p) => fmt(p.value) },
      }],
    });
  }

  // Cumulative value of a running period against the straight line from 0 to its target.
  function cumulativeOption(data) {
    const fmt = formatter(data.format, false);
    const axisFmt = formatter(data.format, true);
    const names = data.names || {};
    const dayFmt = new Intl.DateTimeFormat(lang(), { day: "numeric", month: "short" });
    const series = [
      { name: names.path, type: "line", data: data.path, symbol: "none",
        lineStyle: { width: 2, type: "dotted", color: COLOURS.target }, itemStyle: { color: COLOURS.target } },
      { name: names.actual, type: "line", data: data.points, symbolSize: 6,
        lineStyle: { width: 2.5, color: COLOURS.actual }, itemStyle: { color: COLOURS.actual } },
    ];
    if (data.forecast) {
      series.push({ name: names.forecast, type: "line", data: data.forecast, symbol: "emptyCircle", symbolSize: 6,
        lineStyle: { width: 2, type: "dashed", color: COLOURS.forecast }, itemStyle: { color: COLOURS.forecast } });
    }
    return Object.assign(baseOption(), {
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0, left: 0, textStyle: { color: COLOURS.muted } },
      tooltip: {
        trigger: "item",
        formatter: (p) => `${escapeHtml(p.seriesName)} · ${escapeHtml(dayFmt.format(new Date(p.value[0] + "T00:00:00")))}: ` +
          `<strong>${escapeHtml(fmt(p.value[1]))}</strong>`,
      },
      xAxis: { type: "time", min: data.start, max: data.end, axisLabel: { color: COLOURS.muted, hideOverlap: true,
        formatter: (v) => dayFmt.format(new Date(v)) }, splitLine: { show: false } },
      yAxis: { type: "value", splitLine: { lineStyle: { color: COLOURS.grid } },
        axisLabel: { color: COLOURS.muted, formatter: (v) => axisFmt(v) } },
      series,
    });
  }

  const BUILDERS = { trend: trendOption, sparkline: sparklineOption, heatmap: heatmapOption, bars: barsOption,
    cumulative: cumulativeOption };

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }

  function renderOne(el) {
    const build = BUILDERS[el.dataset.chart];
    const data = readData(el);
    if (!build || !data || !window.echarts) return;
    // Assistive technology reads the table or text next to the chart, not the canvas.
    if (!el.hasAttribute("aria-hidden")) el.setAttribute("aria-hidden", "true");
    // A heatmap grows with its rows (CSSOM, not a style attribute: CSP style-src 'self').
    if (el.dataset.chart === "heatmap") el.style.height = `${Math.max(200, (data.rows || []).length * 26 + 90)}px`;
    const chart = window.echarts.getInstanceByDom(el) || window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption(build(data, el), true);
    // A chart that carries `links` (one per point) opens the records behind the point clicked.
    chart.off("click");
    if (Array.isArray(data.links)) {
      chart.on("click", (p) => {
        const href = data.links[p.dataIndex];
        if (href && href.startsWith("/")) window.location.assign(href);
      });
    }
    instances.add(chart);
  }

  function prune() {
    for (const chart of instances) {
      const dom = chart.getDom();
      if (!dom || !dom.isConnected) {
        chart.dispose();
        instances.delete(chart);
      }
    }
  }

  function renderAll(root) {
    prune();
    const scope = root && root.querySelectorAll ? root : document;
    const els = Array.from(scope.querySelectorAll("[data-chart][data-chart-source]"));
    if (scope.matches && scope.matches("[data-chart][data-chart-source]")) els.unshift(scope);
    els.forEach(renderOne);
  }

  let resizeTimer = null;
  function resizeAll() {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      prune();
      instances.forEach((chart) => {
        const dom = chart.getDom();
        if (dom.dataset.chart === "heatmap") renderOne(dom);
        chart.resize();
      });
    }, 120);
  }

  function start() {
    renderAll(document);
    window.addEventListener("resize", resizeAll);
    document.addEventListener("htmx:afterSwap", (event) => renderAll(event.detail && event.detail.target));
    // an out-of-band swap elsewhere on the page may replace a chart's data block
    document.addEventListener("htmx:oobAfterSwap", (event) => renderAll(event.detail && event.detail.target));
  }

  window.PilotageCharts = { render: renderAll, formatter };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
