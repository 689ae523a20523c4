/* Draws every network fragment rendered by kolgraph.web.network_render (vis-network, served locally).
 *
 * Node titles arrive as HTML built server-side from escaped values only; they are turned
 * into elements here so vis-network shows the line breaks instead of literal tags.  Labels
 * are drawn on the canvas, never parsed as HTML.
 */
(function () {
  "use strict";

  function titleElement(html) {
    var element = document.createElement("div");
    element.className = "network-tooltip";
    element.innerHTML = html; // escaped server-side (markupsafe.escape on every value)
    return element;
  }

  function findNode(nodes, text) {
    var query = text.trim().toLowerCase();
    if (!query) return null;
    var all = nodes.get();
    var exact = all.find(function (n) { return String(n.label).toLowerCase() === query; });
    return exact || all.find(function (n) { return String(n.label).toLowerCase().indexOf(query) !== -1; });
  }

  function setupSearch(section, network, nodes) {
    var input = section.querySelector(".network-search");
    var status = section.querySelector(".network-search-status");
    var list = document.createElement("datalist");
    list.id = "network-names-" + Math.random().toString(36).slice(2);
    nodes.forEach(function (n) {
      var option = document.createElement("option");
      option.value = String(n.label); // .value: text, never markup
      list.appendChild(option);
    });
    section.appendChild(list);
    input.setAttribute("list", list.id);
    function go() {
      var node = findNode(nodes, input.value);
      status.textContent = node || !input.value.trim() ? "" : "no HCP matches";
      if (!node) return;
      network.selectNodes([node.id]);
      network.focus(node.id, { scale: 1.3, animation: { duration: 400 } });
    }
    input.addEventListener("change", go);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); go(); }
    });
  }

  function draw(section) {
    if (section.dataset.drawn) return;
    section.dataset.drawn = "1";
    var data = JSON.parse(section.querySelector(".network-data").textContent);
    data.nodes.forEach(function (n) { if (n.title) n.title = titleElement(n.title); });
    var nodes = new vis.DataSet(data.nodes);
    var edges = new vis.DataSet(data.edges);
    var container = section.querySelector(".network-canvas");
    var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
    if (data.options.physics && data.options.physics.enabled === false) {
      // Positions came from the server: the first frame drawn is the final layout.
      network.once("afterDrawing", function () { section.dataset.stabilized = "1"; });
    } else {
      // The layout is settled: stop the simulation so an idle page costs no CPU.
      network.once("stabilizationIterationsDone", function () {
        network.setOptions({ physics: false });
        section.dataset.stabilized = "1";
      });
    }
    network.on("click", function (params) {
      if (params.nodes.length !== 1) return;
      var node = nodes.get(params.nodes[0]);
      if (node && node.url) window.location.assign(node.url);
    });
    setupSearch(section, network, nodes);
    section.network = network; // for browser tests and the console
  }

  function drawAll() {
    document.querySelectorAll("[data-network]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
