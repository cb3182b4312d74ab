// Narrows the paper list to the papers whose title, TL;DR, authors, categories or abstract contain what is
// typed, case-insensitively, and keeps the count in step. It reads only the page itself, so it works from file://.
(function () {
  "use strict";
  var form = document.getElementById("filter-form");
  var box = document.getElementById("filter");
  var count = document.getElementById("count");
  if (!form || !box || !count) {
    return;
  }
  var fields = [".title", ".summary", ".authors", ".categories", ".abstract"];
  var papers = Array.prototype.slice.call(document.querySelectorAll(".paper"));
  var sections = Array.prototype.slice.call(document.querySelectorAll(".topic"));
  var total = papers.length;

  // Whitespace is collapsed on both sides: arXiv text breaks lines in the middle of phrases.
  function normal(text) {
    return text.replace(/\s+/g, " ").trim().toLowerCase();
  }

  var texts = papers.map(function (paper) {
    return normal(fields.map(function (field) {
      var element = paper.querySelector(field);
      return element ? element.textContent : "";
    }).join(" \n "));
  });

  function plural(n) {
    return n + (n === 1 ? " paper" : " papers");
  }

  function apply() {
    var needle = normal(box.value);
    var shown = 0;
    papers.forEach(function (paper, index) {
      var hit = texts[index].indexOf(needle) !== -1;
      paper.hidden = !hit;
      shown += hit ? 1 : 0;
    });
    sections.forEach(function (section) {
      section.hidden = needle !== "" && !section.querySelector(".paper:not([hidden])");
    });
    count.textContent = needle === "" ? plural(total) : shown + " of " + plural(total) + " shown";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
  });
  box.addEventListener("input", apply);
  form.hidden = false;
  // A browser may restore what was typed when one comes back to the page.
  apply();
})();
