/* Type-ahead for every HCP picker (macros.html hcp_picker): suggestions from the HCP search
 * API as a name is typed; choosing one fills the hidden id field of the form.
 *
 * Without this script the form still works: the server resolves the typed name
 * (kolgraph.web.hcp_picks).  Suggestions are written with textContent only: names come from
 * source data and may hold markup.
 */
(function () {
  "use strict";

  var SHOWN = 8;        // suggestions listed
  var MIN_CHARS = 2;    // a single letter matches half the graph
  var PAUSE_MS = 150;   // wait for a pause in typing before asking

  function describe(row) {
    return [row.specialty, row.institution, row.territory].filter(Boolean).join(" · ");
  }

  // Names that contain the text first, then the specialty / institution / topic matches.
  function byName(rows) {
    var named = rows.filter(function (r) { return (r.matched || []).indexOf("name") !== -1; });
    var others = rows.filter(function (r) { return (r.matched || []).indexOf("name") === -1; });
    return named.concat(others).slice(0, SHOWN);
  }

  function setup(picker) {
    var input = picker.querySelector("input[role=combobox]");
    var hidden = picker.querySelector(".hcp-picker-id");
    var list = picker.querySelector(".hcp-suggestions");
    var rows = [], active = -1, asked = 0, timer = null;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var items = list.querySelectorAll("li");
      items.forEach(function (li, i) { li.setAttribute("aria-selected", String(i === index)); });
      active = index;
      if (items[index]) input.setAttribute("aria-activedescendant", items[index].id);
    }

    function choose(index) {
      var row = rows[index];
      if (!row) return;
      input.value = row.name || row.hcp_id;
      hidden.value = row.hcp_id;
      picker.dataset.chosen = row.hcp_id;
      close();
    }

    function show(found) {
      rows = byName(found);
      list.textContent = "";
      rows.forEach(function (row, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.dataset.hcpId = row.hcp_id;
        var name = document.createElement("strong");
        name.textContent = row.name || row.hcp_id;
        var about = document.createElement("span");
        about.className = "muted";
        about.textContent = describe(row);
        li.append(name, " ", about);
        // mousedown, not click: it comes before the input's blur closes the list
        li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      if (!rows.length) {
        var none = document.createElement("li");
        none.className = "muted none";
        none.textContent = "No HCP matches";
        list.appendChild(none);
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
    }

    function ask() {
      var text = input.value.trim();
      if (text.length < MIN_CHARS) { close(); return; }
      var mine = ++asked;
      var url = picker.dataset.searchUrl + "?limit=" + (SHOWN * 3) + "&q=" + encodeURIComponent(text);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (found) { if (mine === asked) show(found); })
        .catch(close); // offline or logged out: the server still resolves the typed name
    }

    input.addEventListener("input", function () {
      hidden.value = "";  // a name typed after a choice is a new name
      delete picker.dataset.chosen;
      clearTimeout(timer);
      timer = setTimeout(ask, PAUSE_MS);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        var step = event.key === "ArrowDown" ? 1 : -1;
        highlight(Math.max(0, Math.min(rows.length - 1, active + step)));
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        choose(active);
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", close);
  }

  function setupAll() {
    document.querySelectorAll("[data-hcp-picker]").forEach(setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setupAll);
  } else {
    setupAll();
  }
})();
