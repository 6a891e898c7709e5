// The report's findings, rendered from the data block in chunks as the reader scrolls, so
// that a run with tens of thousands of findings opens at once. Every text goes in through
// textContent: nothing from a contract is ever parsed as HTML.
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("data").textContent);
  var W = D.words, items = D.items, files = D.files;
  var results = document.getElementById("results");
  var CHUNK = 80; // findings added to the page per step
  var state = { q: "", sev: { error: true, warning: true, info: true }, waived: true, pack: "", rule: "", file: "" };
  var groups = [], rendered = 0, order = [], where = {}, current = -1, hay = [];
  var sentinel = document.createElement("div");
  var observer = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
    if (entries.some(function (e) { return e.isIntersecting; })) more();
  }, { rootMargin: "1200px" }) : null;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function words(key, n, total) {
    return W[key].replace("{n}", n).replace("{total}", total);
  }

  function haystack(i) {
    if (hay[i] === undefined) {
      var it = items[i];
      hay[i] = [it.msg, D.rules[it.rule], it.title, files[it.file].name, it.ptr, it.waived || ""].join("\n").toLowerCase();
    }
    return hay[i];
  }

  function matches(i) {
    var it = items[i];
    if (!state.sev[it.sev]) return false;
    if (!state.waived && it.waived !== null) return false;
    if (state.pack !== "" && it.pack !== +state.pack) return false;
    if (state.rule !== "" && it.rule !== +state.rule) return false;
    if (state.file !== "" && it.file !== +state.file) return false;
    return !state.q || haystack(i).indexOf(state.q) >= 0;
  }

  function compute() {
    var byFile = files.map(function () { return []; });
    for (var i = 0; i < items.length; i++) if (matches(i)) byFile[items[i].file].push(i);
    groups = []; order = []; where = {};
    byFile.forEach(function (list, f) {
      if (!list.length) return;
      if (files[f].doc) list = docOrder(f, list);
      groups.push({ file: f, items: list });
      list.forEach(function (i) { where[i] = groups.length - 1; order.push(i); });
    });
  }

  function onLine(f, it) {
    return it.line && files[f].lines[it.line] !== undefined;
  }

  function docOrder(f, list) { // a document reads top to bottom: general findings first
    var general = list.filter(function (i) { return !onLine(f, items[i]); });
    var placed = list.filter(function (i) { return onLine(f, items[i]); });
    placed.sort(function (a, b) { return items[a].line - items[b].line || (items[a].col || 0) - (items[b].col || 0) || a - b; });
    return general.concat(placed);
  }

  function location(it) {
    if (!it.line) return W.whole_file;
    var f = files[it.file];
    return (f.para ? W.paragraph : W.line + " ") + it.line + (it.col ? ":" + it.col : "");
  }

  function finding(i) {
    var it = items[i];
    var box = el("article", "finding sev-" + it.sev + (it.waived !== null ? " waived" : ""));
    box.id = "f-" + i;
    box.tabIndex = -1;
    box.dataset.i = i;
    var head = el("div", "head");
    head.appendChild(el("span", "badge sev-" + it.sev, W[it.sev]));
    if (it.waived !== null) head.appendChild(el("span", "badge waived", W.waived_by));
    if (it.title) head.appendChild(el("span", "ruletitle", it.title));
    head.appendChild(el("span", "rule", D.rules[it.rule]));
    head.appendChild(el("span", "where", location(it)));
    box.appendChild(head);
    box.appendChild(el("p", "msg", it.msg));
    if (it.waived !== null) box.appendChild(el("p", "waiver", W.waived_by + ": " + it.waived));
    if (it.refs.length) {
      var refs = el("div", "refs", W.basis + ":");
      var ul = el("ul");
      it.refs.forEach(function (r) {
        var li = el("li");
        if (r.url) {
          var a = el("a", null, r.text);
          a.href = r.url; a.rel = "noopener noreferrer"; a.target = "_blank";
          li.appendChild(a);
        } else li.textContent = r.text;
        ul.appendChild(li);
      });
      refs.appendChild(ul);
      box.appendChild(refs);
    }
    if (it.values.length) {
      var table = el("table", "values");
      table.appendChild(el("caption", null, W.values));
      var tr = el("tr");
      tr.appendChild(el("th", null, W.expression)); tr.appendChild(el("th", null, W.value));
      table.appendChild(tr);
      it.values.forEach(function (kv) {
        var row = el("tr");
        row.appendChild(el("td", null, kv[0])); row.appendChild(el("td", null, kv[1]));
        table.appendChild(row);
      });
      box.appendChild(table);
    }
    return box;
  }

  function span(it, text) { // [start, end) of the finding on its line, in characters
    if (!it.col || it.col > text.length) return null;
    var s = it.col - 1;
    var e = it.end ? Math.min(it.end - 1, text.length) : s + 1;
    return e > s ? [s, e] : null;
  }

  function marked(text, list) { // the line with each finding's span in a <mark>
    var chars = Array.from(text); // columns count code points, as positions do
    var spans = [];
    list.forEach(function (i) {
      var sp = span(items[i], chars);
      if (sp) spans.push({ s: sp[0], e: sp[1], ids: [i] });
    });
    spans.sort(function (a, b) { return a.s - b.s || b.e - a.e; });
    var merged = [];
    spans.forEach(function (sp) { // overlapping spans share the first one's mark
      var last = merged[merged.length - 1];
      if (last && sp.s < last.e) last.ids.push(sp.ids[0]); else merged.push(sp);
    });
    var out = document.createDocumentFragment(), at = 0;
    merged.forEach(function (sp) {
      out.appendChild(document.createTextNode(chars.slice(at, sp.s).join("")));
      var m = el("mark", "sev-" + items[sp.ids[0]].sev + (items[sp.ids[0]].waived !== null ? " waived" : ""), chars.slice(sp.s, sp.e).join(""));
      m.dataset.ids = sp.ids.join(" ");
      m.id = "m-" + sp.ids[0];
      out.appendChild(m);
      at = sp.e;
    });
    out.appendChild(document.createTextNode(chars.slice(at).join("")));
    return out;
  }

  function excerpt(i) {
    var it = items[i], lines = files[it.file].lines;
    if (!it.line || lines[it.line] === undefined) return null;
    var pre = el("pre", "excerpt");
    for (var n = it.line - 2; n <= it.line + 2; n++) {
      if (lines[n] === undefined) continue;
      var row = el("span", "l" + (n === it.line ? " hit" : ""));
      row.appendChild(el("span", "n", n));
      row.appendChild(n === it.line ? marked(lines[n], [i]) : document.createTextNode(lines[n]));
      pre.appendChild(row);
    }
    return pre;
  }

  function documentView(g) {
    var f = files[g.file], doc = el("div", "doc"), byLine = {}, general = [];
    g.items.forEach(function (i) {
      var it = items[i];
      if (onLine(g.file, it)) (byLine[it.line] = byLine[it.line] || []).push(i); else general.push(i);
    });
    if (general.length) {
      var top = el("div", "general");
      top.appendChild(el("h3", null, W.general));
      general.forEach(function (i) { top.appendChild(finding(i)); });
      doc.appendChild(top);
    }
    Object.keys(f.lines).map(Number).sort(function (a, b) { return a - b; }).forEach(function (n) {
      var p = el("p", "para");
      p.dataset.line = n;
      p.appendChild(el("span", "n", (f.para ? W.paragraph : "") + n));
      p.appendChild(byLine[n] ? marked(f.lines[n], byLine[n]) : document.createTextNode(f.lines[n]));
      doc.appendChild(p);
      if (byLine[n]) {
        var margin = el("div", "margin");
        byLine[n].forEach(function (i) { margin.appendChild(finding(i)); });
        doc.appendChild(margin);
      }
    });
    return doc;
  }

  function group(g) {
    var section = el("section", "file");
    section.dataset.file = g.file;
    section.appendChild(el("h2", null, files[g.file].name));
    if (files[g.file].doc) section.appendChild(documentView(g));
    else g.items.forEach(function (i) {
      var box = finding(i), pre = excerpt(i);
      if (pre) box.appendChild(pre);
      section.appendChild(box);
    });
    return section;
  }

  function more() {
    if (observer) observer.unobserve(sentinel);
    sentinel.remove();
    var added = 0;
    while (rendered < groups.length && added < CHUNK) {
      results.appendChild(group(groups[rendered]));
      added += groups[rendered].items.length;
      rendered++;
    }
    if (rendered < groups.length) {
      results.appendChild(sentinel);
      if (observer) observer.observe(sentinel);
    }
  }

  function all() { while (rendered < groups.length) more(); }

  function refresh() {
    compute();
    results.textContent = "";
    rendered = 0; current = -1;
    if (!order.length && items.length) results.appendChild(el("p", "none", W.none_shown));
    more();
    document.getElementById("shown").textContent = words("shown", order.length, items.length);
  }

  function select(k) { // make the k-th shown finding the current one and bring it into view
    if (!order.length) return;
    k = Math.max(0, Math.min(order.length - 1, k));
    var i = order[k];
    while (rendered <= where[i]) more();
    document.querySelectorAll(".current").forEach(function (e) { e.classList.remove("current"); });
    current = k;
    var box = document.getElementById("f-" + i);
    box.classList.add("current");
    var m = document.querySelector('mark[data-ids~="' + i + '"]');
    if (m) m.classList.add("current");
    box.focus({ preventScroll: true });
    (m || box).scrollIntoView({ block: "center" });
  }

  var timer = null;
  document.getElementById("q").addEventListener("input", function (e) {
    clearTimeout(timer);
    timer = setTimeout(function () { state.q = e.target.value.trim().toLowerCase(); refresh(); }, 120);
  });
  document.querySelectorAll("input[name=sev]").forEach(function (box) {
    box.addEventListener("change", function () { state.sev[box.value] = box.checked; refresh(); });
  });
  document.getElementById("show-waived").addEventListener("change", function (e) { state.waived = e.target.checked; refresh(); });
  ["pack", "rule", "file"].forEach(function (key) {
    document.getElementById(key).addEventListener("change", function (e) { state[key] = e.target.value; refresh(); });
  });
  document.querySelectorAll(".chart .bar").forEach(function (bar) { // a bar filters by what it counts
    bar.addEventListener("click", function () {
      var kind = bar.dataset.filter, value = bar.dataset.value;
      if (kind === "sev") {
        document.querySelectorAll("input[name=sev]").forEach(function (box) {
          box.checked = box.value === value; state.sev[box.value] = box.checked;
        });
      } else {
        var index = (kind === "pack" ? D.packs : D.rules).indexOf(value);
        document.getElementById(kind).value = state[kind] = index < 0 ? "" : String(index);
      }
      refresh();
      document.querySelector(".controls").scrollIntoView();
    });
  });
  results.addEventListener("click", function (e) {
    var target = e.target.closest("mark, .finding");
    if (!target || e.target.closest("a")) return;
    var i = target.tagName === "MARK" ? +target.dataset.ids.split(" ")[0] : +target.dataset.i;
    if (order.indexOf(i) >= 0) select(order.indexOf(i));
  });
  document.addEventListener("keydown", function (e) {
    var typing = /^(INPUT|SELECT|TEXTAREA)$/.test(e.target.tagName);
    if (e.key === "Escape" && e.target.id === "q") {
      e.target.value = ""; state.q = ""; e.target.blur(); refresh(); return;
    }
    if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "j" || e.key === "n") { select(current + 1); e.preventDefault(); }
    else if (e.key === "k" || e.key === "p") { select(current < 0 ? 0 : current - 1); e.preventDefault(); }
    else if (e.key === "/") { document.getElementById("q").focus(); e.preventDefault(); }
  });
  window.addEventListener("beforeprint", all); // paper has no scrolling: print every finding

  refresh();
  window.ccReport = { shown: function () { return order.length; }, renderAll: all, select: select };
  document.documentElement.dataset.ready = String(Math.round(performance.now()));
})();
