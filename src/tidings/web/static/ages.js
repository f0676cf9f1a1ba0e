// Keeps the ages on a page ("1 hour 8 minutes ago") true while it stays open, without a reload.
// The server words them (one place for ages and their translations); without this script the
// page shows the ages as they were when it was served.
(function () {
  "use strict";
  var EVERY_MS = 60000;
  function refresh() {
    var nodes = document.querySelectorAll("time[datetime]");
    if (!nodes.length || document.hidden) return;
    var seen = {}, query = [];
    nodes.forEach(function (node) {
      var t = node.getAttribute("datetime");
      if (!seen[t] && query.length < 500) { seen[t] = 1; query.push("t=" + encodeURIComponent(t)); }
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
  setInterval(refresh, EVERY_MS);
  document.addEventListener("visibilitychange", refresh);
})();
