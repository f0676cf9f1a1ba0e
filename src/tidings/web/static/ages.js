// Keeps the ages on a page ("1 hour 8 minutes ago") true while it stays open, without a reload.
// The server words them (one place for ages and their translations); without this script the
// page shows the ages as they were when it was served. Ages marked data-age="short" (the
// admin's tables: "3 min ago") are asked for in their short form, and all in the page's language.
(function () {
  "use strict";
  var EVERY_MS = 60000;
  function refreshForm(nodes, form) {
    if (!nodes.length) return;
    var lang = document.documentElement.getAttribute("lang") || "en";
    var seen = {}, query = ["lang=" + encodeURIComponent(lang)].concat(form ? ["form=" + form] : []);
    nodes.forEach(function (node) {
      var t = node.getAttribute("datetime");
      if (!seen[t] && query.length < 502) { seen[t] = 1; query.push("t=" + encodeURIComponent(t)); }
    });
    fetch("/ages.json?" + query.join("&"), { credentials: "omit" })
      .then(function (r) { return r.ok ? r.json() : {}; })
      .then(function (ages) {
        nodes.forEach(function (node) {
          var text = ages[node.getAttribute("datetime")];
          if (typeof text === "string" && node.textContent !== text) node.textContent = text;
        });
      })
      .catch(function () { /* offline: keep the ages as they are */ });
  }
  function refresh() {
    if (document.hidden) return;
    var nodes = Array.prototype.slice.call(document.querySelectorAll("time[datetime]"));
    refreshForm(nodes.filter(function (n) { return n.dataset.age !== "short"; }), "");
    refreshForm(nodes.filter(function (n) { return n.dataset.age === "short"; }), "short");
  }
  setInterval(refresh, EVERY_MS);
  document.addEventListener("visibilitychange", refresh);
})();
