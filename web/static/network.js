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
      showActions(section, node);
      network.focus(node.id, { scale: 1.3, animation: { duration: 400 } });
    }
    input.addEventListener("change", go);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); go(); }
    });
  }

  // The chosen node's actions: its profile, or its co-authors fetched into this view.
  function showActions(section, node) {
    var panel = section.querySelector(".network-actions");
    panel.hidden = !node;
    if (!node) { delete section.dataset.selected; return; }
    section.dataset.selected = node.id;
    panel.querySelector(".network-selected").textContent = String(node.label); // text, never markup
    panel.querySelector(".network-open-profile").href = node.url;
    panel.querySelector(".network-expand-status").textContent = "";
  }

  // Where the i-th of n new nodes goes: a ring around the expanded node, so they show at once
  // (the physics is off once a view has settled).
  function ringSpot(centre, i, n) {
    var radius = 120 + 6 * n;
    var angle = (2 * Math.PI * i) / Math.max(n, 1);
    return { x: centre.x + radius * Math.cos(angle), y: centre.y + radius * Math.sin(angle) };
  }

  function edgeKey(a, b) { return a < b ? a + "\u0000" + b : b + "\u0000" + a; }

  function addRecords(network, nodes, edges, hcpId, records) {
    var centre = network.getPositions([hcpId])[hcpId];
    var fresh = records.nodes.filter(function (n) { return !nodes.get(n.id); });
    fresh.forEach(function (n, i) {
      var spot = ringSpot(centre, i, fresh.length);
      n.x = spot.x; n.y = spot.y;
      if (n.title) n.title = titleElement(n.title);
    });
    nodes.add(fresh);
    var known = {};
    edges.forEach(function (e) { known[edgeKey(e.from, e.to)] = true; });
    var added = records.edges.filter(function (e) {
      return !known[edgeKey(e.from, e.to)] && nodes.get(e.from) && nodes.get(e.to);
    });
    edges.add(added);
    return fresh.length;
  }

  function expand(section, network, nodes, edges, hcpId) {
    if (!hcpId) return;
    var status = section.querySelector(".network-expand-status");
    status.textContent = "Fetching co-authors…";
    // The view's own filters (colour, tiers, engagement, papers...) apply to what is added.
    var url = section.dataset.expandUrl.replace("HCP_ID", encodeURIComponent(hcpId)) + window.location.search;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("the server answered " + response.status);
        return response.json();
      })
      .then(function (records) {
        var added = addRecords(network, nodes, edges, hcpId, records);
        status.textContent = added ? "Added " + added + " HCP" + (added === 1 ? "" : "s") + "." : "No co-author to add.";
        section.dataset.expanded = String(Number(section.dataset.expanded || 0) + 1);
      })
      .catch(function (error) { status.textContent = "Could not expand: " + error.message; });
  }

  // The drawing as a PNG download, on white (the canvas itself is transparent); no server trip.
  function exportPng(section) {
    var canvas = section.querySelector(".network-canvas canvas");
    var copy = document.createElement("canvas");
    copy.width = canvas.width; copy.height = canvas.height;
    var context = copy.getContext("2d");
    context.fillStyle = "#ffffff";
    context.fillRect(0, 0, copy.width, copy.height);
    context.drawImage(canvas, 0, 0);
    var link = document.createElement("a");
    link.download = "kolgraph-network.png";
    link.href = copy.toDataURL("image/png");
    document.body.appendChild(link);
    link.click();
    link.remove();
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
      showActions(section, params.nodes.length === 1 ? nodes.get(params.nodes[0]) : null);
    });
    network.on("doubleClick", function (params) {
      if (params.nodes.length !== 1) return;
      var node = nodes.get(params.nodes[0]);
      if (node && node.url) window.location.assign(node.url);
    });
    section.querySelector(".network-expand").addEventListener("click", function () {
      expand(section, network, nodes, edges, section.dataset.selected);
    });
    section.querySelector(".network-png").addEventListener("click", function () {
      exportPng(section);
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
