/* Cluster maps: every element with data-cluster-map="<json script id>" becomes an ECharts map of
   China with the clusters from that JSON as points. Selecting a point opens the cluster's page. */
(function () {
  "use strict";

  function readPoints(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : [];
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function draw(el) {
    if (!window.echarts) return;
    var points = readPoints(el.dataset.clusterMap);
    var single = points.length === 1;
    var geo = {
      map: "china",
      roam: true,
      zoom: parseFloat(el.dataset.zoom || "1.2"),
      itemStyle: { areaColor: "#eef2f6", borderColor: "#9aa7b4" },
      emphasis: { itemStyle: { areaColor: "#dde6ee" }, label: { show: false } },
    };
    if (single) {
      geo.center = points[0].value.slice(0, 2);
      geo.zoom = parseFloat(el.dataset.zoom || "5");
    }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          if (!p.data || !p.data.name) return "";
          return "<strong>" + escapeHtml(p.data.name) + "</strong><br>" + escapeHtml(p.data.specialty || "");
        },
      },
      geo: geo,
      series: [
        {
          type: "scatter",
          coordinateSystem: "geo",
          data: points,
          symbolSize: function (v) {
            return Math.max(8, Math.min(22, Math.sqrt(v[2] || 100) / 3));
          },
          itemStyle: {
            color: function (p) { return p.data.pilot ? "#b45309" : "#1d4ed8"; },
            borderColor: "#fff",
            borderWidth: 1,
          },
          emphasis: { scale: 1.4 },
        },
      ],
    });
    chart.on("click", function (p) {
      if (p.data && p.data.url) window.location.href = p.data.url;
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function init() {
    document.querySelectorAll("[data-cluster-map]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
