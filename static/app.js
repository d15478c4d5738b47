// csms dashboard: live updates and local times. Pages work without this file; it only adds.
// One EventSource per page (topic from <body data-live>); in-place updates for statuses and
// figures; a region reload (fetch the page, swap [data-region] elements) when rows change.
"use strict";
(function () {
  // Times: shown in the browser's zone, UTC on hover.
  function localTimes(root) {
    root.querySelectorAll("time[datetime]").forEach(function (t) {
      var d = new Date(t.getAttribute("datetime"));
      if (isNaN(d)) return;
      t.title = t.textContent.indexOf("UTC") >= 0 ? t.textContent : t.title;
      t.textContent = d.toLocaleString();
    });
  }

  // "Select all" on the chargers page.
  function selectAll() {
    var all = document.getElementById("select-all");
    if (!all) return;
    all.addEventListener("change", function () {
      document.querySelectorAll('input[name="ids"]').forEach(function (c) { c.checked = all.checked; });
    });
  }

  function setText(selector, text) {
    document.querySelectorAll(selector).forEach(function (el) { el.textContent = text; });
  }

  function cssEscape(s) {
    return window.CSS && CSS.escape ? CSS.escape(s) : s.replace(/["\\]/g, "\\$&");
  }

  var reloading = false, again = false;
  // Fetches this page again and swaps in its live regions.
  function reloadRegions() {
    if (reloading) { again = true; return; }
    var regions = document.querySelectorAll("[data-region]");
    if (!regions.length) return;
    reloading = true;
    fetch(location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var seq = fresh.body.getAttribute("data-seq");
        if (seq) document.body.setAttribute("data-seq", seq);
        regions.forEach(function (old) {
          var next = fresh.querySelector('[data-region="' + old.getAttribute("data-region") + '"]');
          if (!next) return;
          // Keep what the user ticked.
          var ticked = {};
          old.querySelectorAll('input[name="ids"]:checked').forEach(function (c) { ticked[c.value] = true; });
          next.querySelectorAll('input[name="ids"]').forEach(function (c) { if (ticked[c.value]) c.checked = true; });
          old.replaceWith(next);
          localTimes(next);
        });
      })
      .catch(function () {})
      .then(function () {
        reloading = false;
        if (again) { again = false; setTimeout(reloadRegions, 500); return; }
        // The list now shows other chargers: follow those. What is committed between the
        // page being read and the new stream being open is read once more when it opens.
        if (topic === "chargers" && idsParam() !== followed) { restart(true); }
      });
  }

  var handlers = {
    charger: function (d) {
      document.querySelectorAll('[data-online="' + cssEscape(d.id) + '"]').forEach(function (el) {
        el.textContent = d.online ? "online" : "offline";
        el.className = "badge " + (d.online ? "ok" : "off");
      });
    },
    connector: function (d) {
      var shown = document.querySelectorAll('[data-connector="' + cssEscape(d.id + "/" + d.connector) + '"]');
      // A connector the page does not show yet (its first status): the rows change.
      if (!shown.length) { reloadRegions(); return; }
      shown.forEach(function (el) {
        var text = el.querySelector(".text") || el;
        text.textContent = d.status;
        el.className = "status " + d.statusClass;
        el.title = d.errorCode !== "NoError" ? d.errorCode : "";
      });
    },
    meter: function (d) {
      setText('[data-power="' + cssEscape(d.id + "/" + d.connector) + '"]', d.power);
    },
    figures: function (f) {
      Object.keys(f).forEach(function (k) {
        if (typeof f[k] !== "object") setText('[data-figure="' + k + '"]', String(f[k]));
      });
      var list = document.getElementById("connector-statuses");
      if (list && Array.isArray(f.connectors)) {
        list.textContent = "";
        f.connectors.forEach(function (c) {
          var li = document.createElement("li"), s = document.createElement("span"), n = document.createElement("strong");
          s.className = "status " + c["class"]; s.textContent = c.status;
          n.textContent = String(c.count);
          li.append(s, " ", n); list.append(li);
        });
      }
    },
    rows: reloadRegions,
    booted: reloadRegions,
    note: function () {},
  };

  var topic = document.body.getAttribute("data-live");
  var source = null, wasDown = false, followed = "", catchUp = false;

  function idsParam() {
    var table = document.getElementById("chargers-table");
    return table ? table.getAttribute("data-ids") || "" : "";
  }

  function url() {
    var u = "/live?topic=" + encodeURIComponent(topic);
    // What the page was read at: the server says at once if anything changed since.
    var seq = document.body.getAttribute("data-seq");
    if (seq) u += "&since=" + encodeURIComponent(seq);
    if (topic === "chargers") {
      followed = idsParam();
      u += "&ids=" + encodeURIComponent(followed);
    }
    return u;
  }

  function dot(on) {
    var d = document.getElementById("live-dot");
    if (!d) return;
    d.className = "live-dot" + (on ? " on" : "");
    d.title = on ? "live updates: on" : "live updates: reconnecting";
  }

  function restart(thenReload) {
    if (source) source.close();
    catchUp = !!thenReload;
    start();
  }

  function start() {
    if (!topic || !window.EventSource) return;
    source = new EventSource(url());
    source.onopen = function () {
      dot(true);
      // Back after a restart or a lost connection: what happened meanwhile is unknown.
      if (wasDown || catchUp) { wasDown = false; catchUp = false; reloadRegions(); }
    };
    source.onerror = function () { dot(false); wasDown = true; };
    Object.keys(handlers).forEach(function (name) {
      source.addEventListener(name, function (e) {
        var data = {};
        try { data = JSON.parse(e.data); } catch (_) { return; }
        handlers[name](data);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    // A page shown as the answer to a form (e.g. an operation) lives at its own address, so
    // that reloading it (and its live regions) reads the page, not the form's target.
    var canonical = document.body.getAttribute("data-canonical");
    if (canonical && location.pathname !== canonical) {
      history.replaceState(null, "", canonical + location.hash);
    }
    localTimes(document);
    selectAll();
    start();
  });
})();
