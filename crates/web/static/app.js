// Jixiao's own script: no third-party JS. Every page works without it; with it the editor
// recomputes as the user types (the server's engine, through POST …/preview) and its row
// buttons act in place.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { window.print(); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("editor");
    if (form) { editor(form); }
  });

  function editor(form) {
    var rows = document.getElementById("rows");
    var template = document.getElementById("row-template");
    var live = document.getElementById("live");
    var timer = null;
    var seq = 0;

    function setText(id, value) {
      var el = document.getElementById(id);
      if (el) { el.textContent = value || ""; }
    }

    function renumber() {
      Array.prototype.forEach.call(rows.querySelectorAll("tr.row"), function (tr, i) {
        var n = tr.querySelector(".n");
        if (n) { n.textContent = String(i + 1); }
        Array.prototype.forEach.call(tr.querySelectorAll("button[data-row]"), function (b) {
          b.value = b.getAttribute("data-row") + ":" + i;
        });
      });
    }

    function show(data) {
      setText("c-rate", data.rate);
      setText("c-budget", data.budget_score);
      setText("c-total", data.total);
      setText("c-grade", data.grade);
      setText("c-total-top", data.total);
      setText("c-grade-top", data.grade);
      var trs = rows.querySelectorAll("tr.row");
      Array.prototype.forEach.call(trs, function (tr, i) {
        var out = tr.querySelector(".c-ind");
        if (out) { out.textContent = data.indicators[i] || ""; }
        tr.classList.toggle("flagged", data.flagged.indexOf(i) >= 0);
      });
      var list = document.getElementById("findings");
      if (list) {
        list.textContent = "";
        var items = data.errors.map(function (e) {
          return { severity: "error", severity_label: "输入", code: "INPUT", message: e, message_en: "", place: "" };
        }).concat(data.findings);
        items.forEach(function (f) {
          var li = document.createElement("li");
          li.className = f.severity;
          var b = document.createElement("b");
          b.textContent = f.severity_label;
          var code = document.createElement("code");
          code.textContent = f.code;
          li.appendChild(b);
          li.appendChild(document.createTextNode(" "));
          li.appendChild(code);
          li.appendChild(document.createTextNode(" "));
          if (f.place) {
            var loc = document.createElement("span");
            loc.className = "loc";
            loc.textContent = f.place;
            li.appendChild(loc);
            li.appendChild(document.createTextNode(" "));
          }
          li.appendChild(document.createTextNode(f.message + " "));
          var small = document.createElement("small");
          small.textContent = f.message_en;
          li.appendChild(small);
          list.appendChild(li);
        });
        if (!items.length) {
          var none = document.createElement("li");
          none.className = "muted";
          none.textContent = "没有发现 (no findings)";
          list.appendChild(none);
        }
        setText("finding-count", String(data.findings.length));
      }
    }

    function recompute() {
      var mine = ++seq;
      if (live) { live.textContent = "计算中… (computing)"; }
      var body = new URLSearchParams(new FormData(form));
      fetch(form.getAttribute("data-preview"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: body
      }).then(function (r) {
        if (!r.ok) { throw new Error(String(r.status)); }
        return r.json();
      }).then(function (data) {
        if (mine !== seq) { return; }
        show(data);
        if (live) { live.textContent = "已重新计算 (recomputed)"; live.dataset.seq = String(mine); }
      }).catch(function (e) {
        if (mine === seq && live) { live.textContent = "暂时无法计算 (cannot recompute now): " + e.message; }
      });
    }

    function schedule() {
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(recompute, 250);
    }

    form.addEventListener("input", schedule);

    form.addEventListener("click", function (event) {
      var b = event.target.closest("button[data-row]");
      if (!b) { return; }
      event.preventDefault();
      var what = b.getAttribute("data-row");
      if (what === "add") {
        rows.appendChild(template.content.cloneNode(true));
        var last = rows.querySelector("tr.row:last-child input");
        if (last) { last.focus(); }
      } else {
        var tr = b.closest("tr");
        if (what === "up" && tr.previousElementSibling) {
          rows.insertBefore(tr, tr.previousElementSibling);
        } else if (what === "down" && tr.nextElementSibling) {
          rows.insertBefore(tr.nextElementSibling, tr);
        } else if (what === "remove") {
          tr.remove();
        }
      }
      renumber();
      schedule();
    });

    renumber();
  }
})();
