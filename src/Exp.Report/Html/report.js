// The report's behaviour: charts drawn from the inline data, a table that sorts, filters and pages,
// a filter that also limits charts and pictures, earlier epochs one click away, and (served by
// `exp ui` only) a reload when a running sweep's store changes. Nothing here fetches anything
// unless the page was served with a changes URL.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var PAGE_SIZE = 50;

  // ---- charts ----
  var plots = data.figures.map(function (f) {
    var div = document.getElementById(f.id);
    var layout = f.figure.layout || {};
    delete layout.width;
    delete layout.height;
    layout.autosize = true;
    layout.margin = layout.margin || { l: 70, r: 20, t: 20, b: 55 };
    layout.legend = Object.assign({ font: { size: 11 } }, layout.legend);
    // Plain powers of ten: SI prefixes would print a KL weight of 1e-5 as "10µ".
    Object.keys(layout).filter(function (k) { return /^[xy]axis/.test(k); }).forEach(function (k) { layout[k].exponentformat = "power"; });
    Plotly.newPlot(div, f.figure.data, layout, { responsive: true, displaylogo: false });
    var initial = f.figure.data.map(function (trace) { return trace.visible === undefined ? true : trace.visible; });
    return { div: div, runs: f.runs, lines: f.lines, initial: initial };
  });

  // ---- brushing the parallel coordinates: the runs whose lines lie within every axis's ranges, or null when none is set ----
  var brushed = null;
  function brushedRuns(p) {
    var dimensions = p.div.data[0].dimensions;
    var ranged = dimensions.filter(function (d) { return d.constraintrange && d.constraintrange.length > 0; });
    if (ranged.length === 0) { return null; }
    var keep = {};
    p.lines.forEach(function (run, i) {
      var inside = ranged.every(function (d) {
        // One range is [low, high]; several (ctrl-drag) are [[low, high], ...].
        var ranges = Array.isArray(d.constraintrange[0]) ? d.constraintrange : [d.constraintrange];
        return ranges.some(function (r) { return d.values[i] >= r[0] && d.values[i] <= r[1]; });
      });
      if (inside) { keep[run] = true; }
    });
    return keep;
  }
  plots.filter(function (p) { return p.lines; }).forEach(function (p) {
    p.div.on("plotly_restyle", function () {
      brushed = brushedRuns(p);
      var label = document.getElementById("brushed");
      label.textContent = brushed === null ? "" : "brushed: " + Object.keys(brushed).length + " of " + p.lines.length + " trials";
      applyFilter();
    });
  });

  // ---- table ----
  var table = document.getElementById("trial-table");
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var filter = document.getElementById("filter");
  var page = 0;
  var matching = rows;

  function render() {
    var pages = Math.max(1, Math.ceil(matching.length / PAGE_SIZE));
    page = Math.min(page, pages - 1);
    rows.forEach(function (row) { row.hidden = true; });
    matching.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE).forEach(function (row) { row.hidden = false; });
    document.getElementById("shown").textContent = matching.length + " of " + rows.length + " trials";
    document.getElementById("page").textContent = "page " + (page + 1) + " of " + pages;
    document.getElementById("prev").disabled = page === 0;
    document.getElementById("next").disabled = page >= pages - 1;
  }

  // ---- filter: words match anywhere in a row; `column op number` (kl_weight>=3, elbo>-300) compares that column's values ----
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  function columnNamed(name) {
    var found = -1;
    // Its shown name first, then its key, then the key's last part (eval/elbo: elbo; loss.kl_weight: kl_weight).
    [function (h) { return (h.dataset.name || "").toLowerCase(); },
     function (h) { return (h.dataset.key || "").toLowerCase(); },
     function (h) { return (h.dataset.key || "").toLowerCase().split(/[./]/).pop(); }].some(function (nameOf) {
      found = headers.findIndex(function (h) { return h.dataset.key && nameOf(h) === name; });
      return found >= 0;
    });
    return found;
  }
  var COMPARE = { "=": function (a, b) { return a === b; }, "!=": function (a, b) { return a !== b; },
    "<": function (a, b) { return a < b; }, "<=": function (a, b) { return a <= b; },
    ">": function (a, b) { return a > b; }, ">=": function (a, b) { return a >= b; } };
  function matcher(word) {
    var parts = /^(.+?)(>=|<=|!=|=|<|>)(.+)$/.exec(word);
    var column = parts ? columnNamed(parts[1]) : -1;
    if (column < 0) {
      return function (row, text) { return text.indexOf(word) >= 0; };
    }
    var number = Number(parts[3]);
    var compare = COMPARE[parts[2]];
    return function (row) {
      var cell = row.cells[column];
      var value = cell.dataset.v !== undefined ? cell.dataset.v : cell.textContent;
      if (value === "") { return false; }
      // A number against the value itself, never its text: kl_weight>=3 keeps 3, 30 and 300 and drops 0.3.
      return isNaN(number) ? compare(value.toLowerCase(), parts[3]) : compare(Number(value), number);
    };
  }

  function applyFilter() {
    var words = filter.value.toLowerCase().replace(/\s*(>=|<=|!=|=|<|>)\s*/g, "$1").split(/\s+/).filter(Boolean);
    var tests = words.map(matcher);
    matching = rows.filter(function (row) {
      var text = row.textContent.toLowerCase();
      return (brushed === null || brushed[row.dataset.run]) && tests.every(function (test) { return test(row, text); });
    });
    page = 0;
    render();
    var shown = {};
    matching.forEach(function (row) { shown[row.dataset.run] = true; });
    var filtered = words.length > 0 || brushed !== null;
    plots.filter(function (p) { return !p.lines; }).forEach(function (p) {
      var visible = p.runs.map(function (run, i) {
        if (!filtered || run === null) { return p.initial[i]; }
        return shown[run] ? true : "legendonly";
      });
      Plotly.restyle(p.div, { visible: visible });
    });
    document.querySelectorAll("figure.trial").forEach(function (fig) {
      fig.hidden = filtered && !shown[fig.dataset.run];
    });
  }

  function sortBy(th) {
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var descending = th.getAttribute("aria-sort") === "ascending";
    table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", descending ? "descending" : "ascending");
    var numeric = th.dataset.type === "number" || th.dataset.type === "value";
    function key(row) {
      var cell = row.cells[index];
      var v = cell.dataset.v !== undefined ? cell.dataset.v : cell.textContent;
      if (numeric) { var n = parseFloat(v); return isNaN(n) ? null : n; }
      return v.toLowerCase();
    }
    rows.sort(function (a, b) {
      var x = key(a), y = key(b);
      if (x === y) { return 0; }
      if (x === null) { return 1; }   // missing values last, whichever the direction
      if (y === null) { return -1; }
      return (x < y ? -1 : 1) * (descending ? -1 : 1);
    });
    rows.forEach(function (row) { body.appendChild(row); });
    applyFilter();
  }

  table.querySelectorAll("th").forEach(function (th) {
    th.addEventListener("click", function () { sortBy(th); });
  });
  filter.addEventListener("input", applyFilter);
  document.getElementById("prev").addEventListener("click", function () { page--; render(); });
  document.getElementById("next").addEventListener("click", function () { page++; render(); });
  render();

  // ---- pictures: earlier epochs ----
  document.querySelectorAll("figure.trial").forEach(function (fig) {
    var byEpoch = data.images[fig.dataset.run] || {};
    // The last epoch's pictures are only in the elements: keep them for when its button is clicked again.
    fig.querySelectorAll("img.samples, img.samples_tempered, img.reconstructions").forEach(function (img) {
      byEpoch[img.dataset.epoch] = byEpoch[img.dataset.epoch] || {};
      byEpoch[img.dataset.epoch][img.className] = img.src;
    });
    fig.querySelectorAll(".epochs button").forEach(function (button) {
      button.addEventListener("click", function () {
        var pictures = byEpoch[button.dataset.epoch] || {};
        fig.querySelectorAll("img.samples, img.samples_tempered, img.reconstructions").forEach(function (img) {
          if (pictures[img.className]) {
            img.src = pictures[img.className];
            img.title = img.alt = img.className + ", epoch " + button.dataset.epoch;
          }
        });
        fig.querySelectorAll(".epochs button").forEach(function (b) { b.classList.toggle("current", b === button); });
      });
    });
  });

  // ---- compare the ticked trials: the config keys in which they differ, their metrics, their pictures at one epoch ----
  var picks = Array.prototype.slice.call(table.querySelectorAll("input.pick"));
  var compareButton = document.getElementById("compare-button");
  var panel = document.getElementById("compare");
  function ticked() { return rows.filter(function (row) { return row.querySelector("input.pick").checked; }); }
  function element(tag, text, className) {
    var e = document.createElement(tag);
    if (text !== undefined) { e.textContent = text; }
    if (className) { e.className = className; }
    return e;
  }
  function compare() {
    var chosen = ticked();
    if (chosen.length < 2) { panel.hidden = true; return; }
    var runs = chosen.map(function (row) { return row.dataset.run; });
    var configs = runs.map(function (run) { return data.configs[run] || {}; });
    var keys = Object.keys(Object.assign.apply(null, [{}].concat(configs))).sort().filter(function (key) {
      return configs.some(function (c) { return c[key] !== configs[0][key]; });
    });
    // The latest epoch whose pictures every chosen trial has: the grids are compared after the same training.
    var epochs = runs.map(function (run) { return Object.keys(data.images[run] || {}); });
    var common = epochs[0].filter(function (e) { return epochs.every(function (list) { return list.indexOf(e) >= 0; }); })
      .map(Number).sort(function (a, b) { return a - b; });
    var epoch = common.length > 0 ? common[common.length - 1] : null;

    var out = element("table", undefined, "compare-table");
    var head = out.createTHead().insertRow();
    head.appendChild(element("th", chosen.length + " trials"));
    chosen.forEach(function (row) {
      var th = element("th");
      th.appendChild(row.querySelector(".swatch").cloneNode());
      th.appendChild(document.createTextNode(row.dataset.name));
      head.appendChild(th);
    });
    var body = out.createTBody();
    function line(title, values, className) {
      var tr = body.insertRow();
      tr.className = className;
      tr.appendChild(element("th", title));
      values.forEach(function (v) { var td = tr.insertCell(); if (v instanceof Node) { td.appendChild(v); } else { td.textContent = v; } });
    }
    // A config value as the table shows numbers (four significant digits), the exact one on hover.
    function configValue(value) {
      if (value === undefined) { return "–"; }
      var number = Number(value);
      if (!/^-?[0-9.]+([eE][-+]?[0-9]+)?$/.test(value) || !isFinite(number) || Number.isInteger(number)) { return value; }
      var span = element("span", String(parseFloat(number.toPrecision(4))));
      span.title = value;
      return span;
    }
    keys.forEach(function (key) { line(key, configs.map(function (c) { return configValue(c[key]); }), "config"); });
    headers.forEach(function (h, index) {
      if (h.dataset.type === "number" && h.dataset.key) {
        line(h.dataset.name, chosen.map(function (row) { return row.cells[index].textContent; }), "metric");
      }
    });
    if (epoch !== null) {
      ["samples", "samples_tempered", "reconstructions"].forEach(function (kind) {
        var sources = runs.map(function (run) { return (data.images[run][epoch] || {})[kind]; });
        if (sources.every(function (src) { return src; })) {
          line(kind + ", epoch " + epoch, sources.map(function (src) {
            var img = element("img", undefined, kind);
            img.src = src;
            img.alt = img.title = kind + ", epoch " + epoch;
            return img;
          }), "picture");
        }
      });
    }
    panel.textContent = "";
    panel.appendChild(element("h3", "Selected trials side by side"));
    panel.appendChild(element("p", keys.length === 0 ? "Their configs are the same." :
      "The config keys in which they differ (" + keys.length + "), their metrics" + (epoch === null ? "" : ", and their pictures at epoch " + epoch) + ".", "hint"));
    var wrap = element("div", undefined, "table-wrap");
    wrap.appendChild(out);
    panel.appendChild(wrap);
    panel.hidden = false;
  }
  picks.forEach(function (pick) {
    pick.addEventListener("change", function () {
      var n = ticked().length;
      compareButton.disabled = n < 2;
      compareButton.textContent = n < 2 ? "compare selected" : "compare " + n + " selected";
      if (!panel.hidden) { compare(); }
    });
  });
  compareButton.addEventListener("click", compare);

  // ---- live pages (exp ui): reload when the store changes ----
  var changes = document.body.dataset.changes;
  if (changes) {
    var seen = null;
    setInterval(function () {
      fetch(changes, { cache: "no-store" }).then(function (r) { return r.text(); }).then(function (stamp) {
        if (seen !== null && stamp !== seen) { location.reload(); }
        seen = stamp;
      }).catch(function () { /* the server stopped: keep showing what we have */ });
    }, 5000);
  }
})();
