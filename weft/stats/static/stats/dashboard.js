/* Statistics dashboards: ECharts from the JSON the page embeds (json_script). */
(function () {
  "use strict";
  function data(id) {
    var el = document.getElementById(id);
    if (!el) return null;
    var v = JSON.parse(el.textContent);
    return typeof v === "string" ? JSON.parse(v) : v;
  }
  function chart(id) {
    var el = document.getElementById(id);
    return el && window.echarts ? echarts.init(el) : null;
  }
  var zh = (document.documentElement.lang || "").indexOf("zh") === 0;
  var yi = function (v) { return v == null ? null : Math.round(v / 1e6) / 100; };  // yuan → 亿元

  var trend = data("trend-data"), c = chart("cluster-trend");
  if (trend && c) {
    var periods = (trend.output_value || []).map(function (p) { return p.period; });
    var names = { output_value: zh ? "工业总产值" : "Output", revenue: zh ? "主营业务收入" : "Revenue", profit: zh ? "利润总额" : "Profit" };
    c.setOption({
      tooltip: { trigger: "axis" }, legend: {},
      xAxis: { type: "category", data: periods }, yAxis: { type: "value", name: zh ? "亿元" : "100m yuan" },
      series: Object.keys(names).map(function (k) {
        return { name: names[k], type: k === "output_value" ? "bar" : "line", data: (trend[k] || []).map(function (p) { return yi(p.value); }) };
      }),
    });
  }
  var comp = data("composition-data"), cc = chart("cluster-composition");
  if (comp && cc) {
    cc.setOption({ tooltip: { trigger: "item" }, series: [{ type: "pie", radius: ["35%", "70%"], data: comp.map(function (r) { return { name: r.name, value: yi(r.value) }; }) }] });
  }
  var baro = data("barometer-data"), bc = chart("cluster-barometer");
  if (baro && bc && baro.length) {
    var comps = Object.keys(baro[0].components);
    bc.setOption({
      tooltip: { trigger: "axis" }, legend: {},
      xAxis: { type: "category", data: baro.map(function (r) { return r.period; }) },
      yAxis: { type: "value", min: function (v) { return Math.floor(Math.min(v.min, 90)); } },
      series: [{ name: zh ? "景气指数" : "Barometer", type: "line", lineStyle: { width: 3 }, data: baro.map(function (r) { return r.index; }),
                 markLine: { silent: true, data: [{ yAxis: 100 }] } }].concat(comps.map(function (k) {
        return { name: k, type: "line", lineStyle: { type: "dashed", width: 1 }, data: baro.map(function (r) { return r.components[k]; }) };
      })),
    });
  }
  var provinces = data("provinces-data"), clusters = data("clusters-data"), m = chart("national-map");
  if (m && provinces) {
    var short = function (name) { return name.replace(/(省|市|自治区|壮族|回族|维吾尔|特别行政区)/g, ""); };
    var max = Math.max.apply(null, provinces.map(function (p) { return yi(p.value); }).concat([1]));
    m.setOption({
      tooltip: { trigger: "item" },
      visualMap: { min: 0, max: max, left: "left", text: [zh ? "亿元" : "100m yuan", ""], calculable: true },
      geo: { map: "china", roam: true, zoom: 1.2 },
      series: [
        { type: "map", geoIndex: 0, data: provinces.map(function (p) { return { name: short(p.province), value: yi(p.value) }; }),
          nameMap: {} },
        { type: "scatter", coordinateSystem: "geo", symbolSize: 7, itemStyle: { color: "#d1242f" },
          data: (clusters || []).map(function (r) { return { name: r.name, value: [r.lng, r.lat, yi(r.value)], slug: r.slug }; }) },
      ],
    });
    m.on("click", function (p) { if (p.data && p.data.slug) window.location = "/stats/clusters/" + p.data.slug + "/"; });
  }
  var nation = data("nation-data"), nc = chart("national-trend");
  if (nation && nc) {
    nc.setOption({ tooltip: { trigger: "axis" }, xAxis: { type: "category", data: nation.map(function (p) { return p.period; }) },
                   yAxis: { type: "value" }, series: [{ type: "bar", data: nation.map(function (p) { return yi(p.value); }) }] });
  }
  window.addEventListener("resize", function () {
    document.querySelectorAll(".chart").forEach(function (el) { var i = echarts.getInstanceByDom(el); if (i) i.resize(); });
  });
})();
