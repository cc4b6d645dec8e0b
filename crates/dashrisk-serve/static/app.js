// dashrisk-serve: the officer page without a round trip. The form works without
// this script (a submit button); with it, the result panel is fetched from this
// server as the officer answers, and the copy and print buttons appear.
"use strict";
(function () {
  function wire(panel) {
    var copy = document.getElementById("copy");
    var print = document.getElementById("print");
    var text = document.getElementById("record-text");
    if (copy && text && navigator.clipboard) {
      copy.hidden = false;
      copy.addEventListener("click", function () {
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
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("assess");
    var panel = document.getElementById("result");
    wire(panel);
    if (!form || !panel) { return; }
    var pending = null;
    function update() {
      var body = new URLSearchParams(new FormData(form));
      if (pending) { pending.abort(); }
      pending = new AbortController();
      fetch("/fragment", { method: "POST", body: body, signal: pending.signal })
        .then(function (r) { return r.text(); })
        .then(function (html) {
          var current = document.getElementById("result");
          var holder = document.createElement("div");
          holder.innerHTML = html;
          var fresh = holder.firstElementChild;
          if (current && fresh) {
            current.replaceWith(fresh);
            wire(fresh);
          }
        })
        .catch(function (e) { if (e.name !== "AbortError") { console.warn(e); } });
    }
    form.addEventListener("change", update);
    form.addEventListener("input", function (e) {
      if (e.target && e.target.type === "number") { update(); }
    });
    update();
  });
})();
