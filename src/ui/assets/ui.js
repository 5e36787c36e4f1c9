// claypipe dashboard: draws the overview charts with uPlot and keeps them
// current from the live stream's `series` events. Loaded by every page; does
// nothing where there is no chart. No inline script: the CSP forbids it.
(() => {
  const COLORS = [
    "#7c3aed",
    "#0ea5e9",
    "#64748b",
    "#f59e0b",
    "#14b8a6",
    "#6366f1",
    "#f97316",
    "#22c55e",
    "#16a34a",
    "#dc2626",
  ];
  const charts = {};

  function chartOptions(labels, width) {
    return {
      width,
      height: 220,
      series: [{}].concat(
        labels.map((label, i) => ({ label, stroke: COLORS[i % COLORS.length], width: 2 })),
      ),
      axes: [{}, { size: 60 }],
    };
  }

  function draw(id, labels, data) {
    const target = document.getElementById(id);
    if (!target || typeof uPlot === "undefined") return;
    if (charts[id]) {
      charts[id].setData(data);
      return;
    }
    charts[id] = new uPlot(chartOptions(labels, target.clientWidth || 600), data, target);
  }

  function render(series) {
    draw("chart-states", series.labels, series.states);
    if (series.rates) draw("chart-rates", series.rateLabels, series.rates);
  }

  document.addEventListener("DOMContentLoaded", () => {
    const initial = document.getElementById("series-data");
    if (initial) render(JSON.parse(initial.textContent));
    const feed = document.getElementById("series-feed");
    if (feed) {
      feed.addEventListener("htmx:sseBeforeMessage", (event) => {
        event.preventDefault();
        render(JSON.parse(event.detail.data));
      });
    }
  });

  // Actions that change or delete leads ask first, with the count they name.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    const question = form instanceof HTMLFormElement ? form.dataset.confirm : undefined;
    if (question && !window.confirm(question)) event.preventDefault();
  });
})();
