// Typesets the TeX in paper titles, TL;DRs (.summary) and abstracts with the KaTeX shipped beside the site,
// using arXiv's delimiters ($…$, $$…$$, \(…\), \[…\]). Where KaTeX cannot parse an expression, auto-render keeps its source
// text as written (that is what it does when KaTeX throws a ParseError), and the error is not reported: the
// source text is the fallback, not a fault of the page. Paper text is untrusted: a command that would need trust
// (\href, \url, \includegraphics, \htmlClass and the other \html… commands) fails the expression the same
// way, so it shows as written instead of becoming a link, an image or an attribute; macro expansion and sizes
// are bounded, so no expression can hang the page or cover it.
(function () {
  "use strict";
  if (typeof renderMathInElement !== "function" || typeof katex !== "object") {
    return;
  }
  var options = {
    delimiters: [
      { left: "$$", right: "$$", display: true },
      { left: "\\[", right: "\\]", display: true },
      { left: "$", right: "$", display: false },
      { left: "\\(", right: "\\)", display: false }
    ],
    throwOnError: true,
    errorCallback: function () {},
    trust: function () {
      throw new katex.ParseError("a command that needs trust is kept as written");
    },
    strict: "ignore",
    maxExpand: 1000,
    maxSize: 2
  };
  var typeset = new WeakSet();
  function typesetIn(root) {
    var elements = root.querySelectorAll(".paper .title, .paper .summary, .paper .abstract");
    Array.prototype.forEach.call(elements, function (element) {
      if (typeset.has(element)) {
        return;
      }
      typeset.add(element);
      try {
        renderMathInElement(element, options);
      } catch (error) {
        // Any other failure leaves this element's text as it was; the next paper is still typeset.
      }
    });
  }
  // The reader (serve/static/reader.js) calls this on the cards htmx swaps in; each element is typeset once.
  window.dailypapersTypeset = typesetIn;
  typesetIn(document);
})();
