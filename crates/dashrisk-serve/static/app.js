// dashrisk-serve: the officer page without a round trip. The form works without
// this script (a submit button); with it, the result panel is fetched from this
// server as the officer answers, and the copy and print buttons appear.
//
// Safety: a result must never look current when it belongs to earlier answers. On
// every change the panel is marked stale at once (the classification and the text
// to copy are hidden, copying is disabled, "Updating…" is shown); only a fresh
// panel from the server replaces it, and a failed update replaces it with an error.
"use strict";
(function () {
  function wire(panel) {
    var copy = document.getElementById("copy");
    var print = document.getElementById("print");
    var text = document.getElementById("record-text");
    if (copy && text && navigator.clipboard) {
      copy.hidden = false;
      copy.addEventListener("click", function () {
        if (copy.disabled || panel.classList.contains("stale")) { return; }
        navigator.clipboard.writeText(text.value).then(function () {
          copy.textContent = "Copied";
        }, function () {
          text.select();
        });
      });
    }
    if (print) {
      print.hidden = false;
      print.addEventListener("click", function () { window.print(); });
    }
  }

  // Marks the panel as belonging to earlier answers until a fresh one arrives.
  function markStale(panel) {
    panel.classList.add("stale");
    panel.setAttribute("aria-busy", "true");
    var note = panel.querySelector(".updating");
    if (!note) {
      note = document.createElement("p");
      note.className = "updating";
      note.setAttribute("role", "status");
      note.textContent = "Updating\u2026 the result below belongs to your earlier answers.";
      var heading = panel.querySelector("h2");
      if (heading) { heading.after(note); } else { panel.prepend(note); }
    }
    var copy = panel.querySelector("#copy");
    if (copy) { copy.disabled = true; }
    var text = panel.querySelector("#record-text");
    if (text) { text.disabled = true; }
  }

  // Replaces the panel with an error: no result of earlier answers stays on screen.
  function showFailure(panel) {
    var fresh = document.createElement("section");
    fresh.id = "result";
    fresh.className = "update-failed";
    fresh.setAttribute("aria-live", "polite");
    fresh.setAttribute("aria-labelledby", "h-result");
    var h = document.createElement("h2");
    h.id = "h-result";
    h.textContent = "Result";
    var box = document.createElement("div");
    box.className = "error";
    box.setAttribute("role", "alert");
    var p1 = document.createElement("p");
    var strong = document.createElement("strong");
    strong.textContent = "The result could not be updated: it does not reflect your latest answers.";
    p1.appendChild(strong);
    var p2 = document.createElement("p");
    p2.textContent = "Press Assess to try again. Copy nothing into the record until a result is shown.";
    box.appendChild(p1);
    box.appendChild(p2);
    fresh.appendChild(h);
    fresh.appendChild(box);
    panel.replaceWith(fresh);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("assess");
    var panel = document.getElementById("result");
    if (panel) { wire(panel); }
    if (!form || !panel) { return; }
    var pending = null;
    var sent = 0;
    function update() {
      var current = document.getElementById("result");
      if (current) { markStale(current); }
      var body = new URLSearchParams(new FormData(form));
      if (pending) { pending.abort(); }
      pending = new AbortController();
      var mine = ++sent;
      fetch("/fragment", { method: "POST", body: body, signal: pending.signal })
        .then(function (r) {
          if (!r.ok) { throw new Error("the server answered " + r.status); }
          return r.text();
        })
        .then(function (html) {
          if (mine !== sent) { return; }
          var holder = document.createElement("div");
          holder.innerHTML = html;
          var fresh = holder.firstElementChild;
          if (!fresh || fresh.id !== "result") { throw new Error("the reply is not a result"); }
          var now = document.getElementById("result");
          if (now) { now.replaceWith(fresh); }
          wire(fresh);
        })
        .catch(function (e) {
          if (e.name === "AbortError" || mine !== sent) { return; }
          var now = document.getElementById("result");
          if (now) { showFailure(now); }
        });
    }
    form.addEventListener("change", update);
    form.addEventListener("input", function (e) {
      if (e.target && e.target.type === "number") { update(); }
    });
    update();
  });
})();
