/* Draws the insights page's charts as SVG from the JSON in each [data-chart] attribute.
 *
 * Kinds: "bars" {labels, values}, "lines" {labels, series: [{name, values}]} with a legend,
 * "spark" {labels, values} (a small line, no axes).  No library, no network, no innerHTML:
 * every label is set with textContent, so category names and notes can never become markup.
 */
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var COLORS = ["#1e5a8a", "#c2410c", "#16a34a", "#7c3aed", "#eab308", "#0891b2", "#be185d", "#4b5563",
                "#65a30d", "#dc2626"];
  var W = 600, H = 240, PAD = {left: 40, right: 10, top: 10, bottom: 40};

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (parent) parent.appendChild(node);
    return node;
  }

  function text(parent, x, y, content, attrs) {
    var node = el("text", Object.assign({x: x, y: y, "font-size": 11, fill: "#52606d"}, attrs || {}), parent);
    node.textContent = String(content);
    return node;
  }

  function tooltip(node, content) {
    el("title", {}, node).textContent = content;
  }

  function frame(area, labels, max) {
    var svg = el("svg", {viewBox: "0 0 " + W + " " + H, preserveAspectRatio: "none"}, area);
    var plotH = H - PAD.top - PAD.bottom;
    [0, 0.5, 1].forEach(function (f) {
      var y = PAD.top + plotH * (1 - f);
      el("line", {x1: PAD.left, x2: W - PAD.right, y1: y, y2: y, stroke: "#e4e7eb"}, svg);
      text(svg, PAD.left - 4, y + 4, Math.round(max * f), {"text-anchor": "end"});
    });
    var every = Math.max(1, Math.ceil(labels.length / 12)); // at most ~12 axis labels
    labels.forEach(function (label, i) {
      if (i % every === 0) text(svg, xCenter(i, labels.length), H - PAD.bottom + 16, label, {"text-anchor": "middle"});
    });
    return svg;
  }

  function xCenter(i, n) {
    var plotW = W - PAD.left - PAD.right;
    return PAD.left + plotW * (i + 0.5) / n;
  }

  function yOf(value, max) {
    var plotH = H - PAD.top - PAD.bottom;
    return PAD.top + plotH * (1 - (max ? value / max : 0));
  }

  function drawBars(area, chart) {
    var max = Math.max.apply(null, chart.values.concat([1]));
    var svg = frame(area, chart.labels, max);
    var slot = (W - PAD.left - PAD.right) / Math.max(1, chart.values.length);
    chart.values.forEach(function (value, i) {
      var y = yOf(value, max);
      var bar = el("rect", {x: xCenter(i, chart.values.length) - slot * 0.35, y: y, width: slot * 0.7,
                            height: H - PAD.bottom - y, fill: COLORS[0]}, svg);
      tooltip(bar, chart.labels[i] + ": " + value);
    });
  }

  function drawLines(area, chart) {
    var all = [1];
    chart.series.forEach(function (s) { all = all.concat(s.values); });
    var max = Math.max.apply(null, all);
    var svg = frame(area, chart.labels, max);
    var legend = document.createElement("ul");
    legend.className = "chart-legend";
    chart.series.forEach(function (series, k) {
      var color = COLORS[k % COLORS.length];
      var points = series.values.map(function (v, i) { return xCenter(i, series.values.length) + "," + yOf(v, max); });
      var line = el("polyline", {points: points.join(" "), fill: "none", stroke: color, "stroke-width": 2}, svg);
      tooltip(line, series.name);
      series.values.forEach(function (v, i) {
        var dot = el("circle", {cx: xCenter(i, series.values.length), cy: yOf(v, max), r: 3, fill: color}, svg);
        tooltip(dot, series.name + ", " + chart.labels[i] + ": " + v);
      });
      var item = document.createElement("li");
      var swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = color;
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(series.name));
      legend.appendChild(item);
    });
    area.appendChild(legend);
  }

  function drawSpark(area, chart) {
    var w = 120, h = 24, max = Math.max.apply(null, chart.values.concat([1]));
    var svg = el("svg", {viewBox: "0 0 " + w + " " + h, preserveAspectRatio: "none"}, area);
    var n = chart.values.length;
    var points = chart.values.map(function (v, i) {
      return (n > 1 ? (w - 4) * i / (n - 1) + 2 : w / 2) + "," + (h - 2 - (h - 4) * v / max);
    });
    var line = el("polyline", {points: points.join(" "), fill: "none", stroke: COLORS[0], "stroke-width": 1.5}, svg);
    tooltip(line, chart.labels.map(function (q, i) { return q + ": " + chart.values[i]; }).join(", "));
  }

  var DRAW = {bars: drawBars, lines: drawLines, spark: drawSpark};

  document.querySelectorAll("[data-chart]").forEach(function (area) {
    var chart;
    try {
      chart = JSON.parse(area.getAttribute("data-chart"));
    } catch (e) {
      return; // leave the table fallback alone
    }
    if (chart && DRAW[chart.kind]) DRAW[chart.kind](area, chart);
  });
})();
