// The reading page's keyboard and in-place changes. Without it every action is a link or a form
// that posts and comes back; with it the same forms are posted with fetch() (same origin, the
// form's own token), the page changes in place and the unread counts follow.
// Shortcuts, as in Google Reader and Miniflux: j/k next and previous, o or Enter open, v the
// original, m read or unread, s star, A mark all as read, / search, ? the list of shortcuts.
(function () {
  "use strict";
  var reader = document.querySelector(".reader");
  if (!reader) return;
  var single = reader.classList.contains("reading-one");
  var current = null;
  reader.setAttribute("data-keys", "on");  // the shortcuts work from here on

  function entries() {
    return Array.prototype.slice.call(reader.querySelectorAll(".entries .entry"));
  }

  function select(entry) {
    if (!entry) return;
    if (current) current.classList.remove("current");
    current = entry;
    entry.classList.add("current");
    entry.focus({ preventScroll: true });
    entry.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    if (single) {
      var nav = reader.querySelector('.item-nav form[data-rel="' + (step > 0 ? "next" : "prev") + '"]');
      if (nav) nav.requestSubmit();
      return;
    }
    var list = entries();
    if (!list.length) return;
    var at = list.indexOf(current);
    if (at < 0) { select(list[step > 0 ? 0 : list.length - 1]); return; }
    var next = list[at + step];
    if (next) { select(next); return; }
    if (step > 0) {
      var more = reader.querySelector('.pager a[rel="next"]');
      if (more) window.location.href = more.href;
    }
  }

  function target() {
    return single ? reader.querySelector(".entry-full") : current;
  }

  function showCounts(counts) {
    reader.querySelectorAll("[data-count]").forEach(function (node) {
      var key = node.getAttribute("data-count"), n;
      if (key === "all") n = counts.total;
      else if (key === "starred") n = counts.starred;
      else if (key.indexOf("feed:") === 0) n = counts.feeds[key.slice(5)] || 0;
      else if (key.indexOf("folder:") === 0) n = counts.folders[key.slice(7)] || 0;
      if (typeof n === "number") node.textContent = String(n);
    });
    // the tab's title starts with the unread count, as the server wrote it: "(12) All items"
    var title = document.title.replace(/^\(\d+\) /, "");
    document.title = counts.total ? "(" + counts.total + ") " + title : title;
  }

  function post(form) {
    return fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    });
  }

  // what an entry shows once a change went through: its state and which form offers the undo
  function setState(entry, name, on) {
    entry.setAttribute("data-" + name, on ? "yes" : "no");
    if (name === "read") entry.classList.toggle("unread", !on);
    var pairs = name === "read" ? ["read", "unread"] : ["star", "unstar"];
    entry.querySelector('form[data-act="' + pairs[0] + '"]').hidden = on;
    entry.querySelector('form[data-act="' + pairs[1] + '"]').hidden = !on;
    if (name === "starred") entry.querySelector(".star-mark").hidden = !on;
  }

  var EFFECT = { read: ["read", true], unread: ["read", false], star: ["starred", true], unstar: ["starred", false] };

  function change(form) {
    var act = form.getAttribute("data-act");
    var entry = form.closest(".entry");
    var before = document.activeElement;
    return post(form).then(function (counts) {
      showCounts(counts);
      if (act === "mark-all") {
        var upTo = Number(form.querySelector('[name="up_to"]').value);
        entries().forEach(function (e) {
          if (Number(e.getAttribute("data-id")) <= upTo && e.getAttribute("data-read") === "no") setState(e, "read", true);
        });
      } else if (entry && EFFECT[act]) {
        setState(entry, EFFECT[act][0], EFFECT[act][1]);
        // the button pressed is now hidden: the focus goes to its opposite
        if (before && form.contains(before)) {
          var undo = { read: "unread", unread: "read", star: "unstar", unstar: "star" }[act];
          var pair = entry.querySelector('form[data-act="' + undo + '"] button');
          if (pair) pair.focus();
        }
      }
    }).catch(function () { form.submit(); });  // let the server answer with a page
  }

  function toggle(name) {
    var entry = target();
    if (!entry) return;
    var on = entry.getAttribute("data-" + name) === "yes";
    var act = name === "read" ? (on ? "unread" : "read") : (on ? "unstar" : "star");
    var form = entry.querySelector('form[data-act="' + act + '"]');
    if (form) change(form);
  }

  reader.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-act")) return;  // opening an entry is a page of its own
    event.preventDefault();
    change(form);
  });

  reader.addEventListener("click", function (event) {
    var entry = event.target.closest && event.target.closest(".entries .entry");
    if (entry && entry !== current) {
      if (current) current.classList.remove("current");
      current = entry;
      entry.classList.add("current");
    }
  });

  var dialog = document.getElementById("shortcuts");
  var helpButton = reader.querySelector("[data-shortcuts]");
  function help() {
    if (!dialog || !dialog.showModal) return;
    if (dialog.open) dialog.close(); else dialog.showModal();
  }
  if (helpButton && dialog && dialog.showModal) {
    helpButton.hidden = false;
    helpButton.addEventListener("click", help);
  }

  function typing(node) {
    if (!node || !node.tagName) return false;
    var tag = node.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || node.isContentEditable;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (typing(event.target) || (dialog && dialog.open && event.key !== "?")) return;
    var key = event.key, entry = target(), form, search;
    if (key === "Enter") {
      // only when no control has the focus: a link or button keeps its own Enter
      if (single || !current || (event.target !== current && event.target !== document.body)) return;
      key = "o";
    }
    switch (key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "o":
        if (single || !entry) return;
        form = entry.querySelector("form.open");
        if (form) form.requestSubmit();
        break;
      case "v":
        if (!entry || !entry.getAttribute("data-link")) return;
        window.open(entry.getAttribute("data-link"), "_blank", "noopener,noreferrer");
        break;
      case "m": toggle("read"); break;
      case "s": toggle("starred"); break;
      case "A":
        form = reader.querySelector("form.mark-all");
        if (!form) return;
        change(form);
        break;
      case "/":
        search = document.getElementById("read-q");
        if (!search) return;
        search.focus();
        break;
      case "?": help(); break;
      default: return;
    }
    event.preventDefault();
  });

  // with the person's setting, an unread entry scrolled past (out at the top) is marked read
  if (!single && reader.getAttribute("data-scroll-read") === "on" && "IntersectionObserver" in window) {
    var observer = new IntersectionObserver(function (seen) {
      seen.forEach(function (item) {
        var e = item.target;
        if (item.isIntersecting || item.boundingClientRect.bottom > 0) return;
        observer.unobserve(e);
        if (e.getAttribute("data-read") === "no") {
          var form = e.querySelector('form[data-act="read"]');
          if (form) change(form);
        }
      });
    });
    entries().forEach(function (e) { observer.observe(e); });
  }
})();
