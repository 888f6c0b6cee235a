/* A cluster's assessment: its dimension scores and the median of the clusters assessed, as a radar. */
(function () {
  "use strict";
  var el = document.getElementById("assessment-radar");
  var data = document.getElementById("radar-data");
  if (!el || !data || !window.echarts) return;
  var radar = JSON.parse(data.textContent);
  var names = JSON.parse(document.getElementById("radar-names").textContent);
  echarts.init(el).setOption({
    tooltip: {},
    legend: { data: [names.cluster, names.median], bottom: 0 },
    radar: { indicator: radar.indicators },
    series: [{
      type: "radar",
      data: [
        { name: names.cluster, value: radar.cluster, areaStyle: { opacity: 0.2 } },
        { name: names.median, value: radar.median, lineStyle: { type: "dashed" } },
      ],
    }],
  });
})();
