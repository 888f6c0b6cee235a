/* The chain diagram: stages as nodes coloured by strength (gaps red), links as arrows.
   Hovering a node shows its figures and, for a gap, the evidence; clicking a gap loads its
   recommended partners below the diagram (the same as the gap list's buttons). */
(function () {
  "use strict";
  var COLOURS = { strong: "#2e7d32", weak: "#ef8f00", missing: "#8a8f98", gap: "#c62828" };

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function draw(el) {
    if (!window.echarts) return;
    var data = JSON.parse(document.getElementById(el.dataset.diagram).textContent);
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      tooltip: {
        formatter: function (p) {
          if (p.dataType !== "node") return "";
          var d = p.data;
          return "<strong>" + escapeHtml(d.name) + "</strong><br>" + escapeHtml(d.detail) +
            (d.evidence ? "<br><em>" + escapeHtml(d.evidence) + "</em>" : "");
        },
      },
      series: [{
        type: "graph",
        layout: "none",
        symbolSize: 34,
        edgeSymbol: ["none", "arrow"],
        edgeSymbolSize: 7,
        label: { show: true, position: "bottom", color: "#333", fontSize: 11 },
        lineStyle: { color: "#b8c0c8", curveness: 0.15 },
        data: data.nodes.map(function (n) {
          return Object.assign({}, n, { x: n.x * 160, y: n.y * 100, itemStyle: { color: COLOURS[n.state] } });
        }),
        links: data.edges,
      }],
    });
    chart.on("click", function (p) {
      if (p.dataType === "node" && p.data.gap && window.htmx) {
        window.htmx.ajax("GET", el.dataset.partnersUrl.replace("GROUP", p.data.gap), "#partners");
      }
    });
    window.addEventListener("resize", function () { chart.resize(); });
    el.dataset.drawn = "true";
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-diagram]").forEach(draw);
  });
})();
