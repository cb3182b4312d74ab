// The reader in the browser: keys to move between papers and act on them, read marking, TeX in the cards htmx
// swaps in, and a line when a button's request fails. A file of the reader's own (the CSP allows no inline
// script). It changes nothing itself but the read mark: s and x click the card's own buttons, so htmx sends them
// with the page's token as a click would; the read mark is a POST to /papers/<id>/read with the same token (from
// the body's hx-headers) and the browser's Origin, as the guard asks. Without this file every page still reads
// and every button still works.
(function () {
  "use strict";

  var CARD = "main li.paper[data-paper]";
  var TYPING = "input, textarea, select, [contenteditable]:not([contenteditable='false'])";
  var marked = new Set(); // papers this page has asked to mark read: once per paper per page
  var current = null; // the card the keys act on
  var statusTimer = 0;

  function token() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || "";
    } catch (error) {
      return "";
    }
  }

  function cardOf(element) {
    return element && element.closest ? element.closest(CARD) : null;
  }

  function cardsOf(paperId) {
    return document.querySelectorAll(CARD + '[data-paper="' + CSS.escape(paperId) + '"]');
  }

  function visibleCards() {
    return Array.prototype.filter.call(document.querySelectorAll(CARD), function (card) {
      return card.getClientRects().length > 0;
    });
  }

  function say(text) {
    var line = document.querySelector(".reader-status");
    if (!line) {
      return;
    }
    line.textContent = text.charAt(0).toUpperCase() + text.slice(1);
    line.hidden = false;
    clearTimeout(statusTimer);
    statusTimer = setTimeout(function () {
      line.hidden = true;
    }, 6000);
  }

  // --- read marking ---

  function markRead(card) {
    var paperId = card ? card.getAttribute("data-paper") : "";
    if (!paperId || marked.has(paperId) || card.classList.contains("read")) {
      return;
    }
    marked.add(paperId);
    var request = {
      method: "POST",
      headers: { "X-CSRF-Token": token() },
      credentials: "same-origin",
      redirect: "manual", // the answer to a plain POST is a 303 back to the page: nothing to follow
      keepalive: true // a click on a link may leave the page before the answer comes
    };
    fetch("/papers/" + encodeURI(paperId) + "/read", request).then(
      function (answer) {
        if (answer.type === "opaqueredirect" || answer.ok) {
          cardsOf(paperId).forEach(function (each) {
            each.classList.add("read");
          });
        } else {
          marked.delete(paperId); // a run was writing (503): the next opening tries again
        }
      },
      function () {
        marked.delete(paperId);
      }
    );
  }

  function openedLink(event) {
    var link = event.target.closest ? event.target.closest(".links a, .title a") : null;
    if (link && (event.type === "click" || event.button === 1)) {
      markRead(cardOf(link));
    }
  }

  function toggled(event) {
    var details = event.target;
    if (details.matches && details.matches("details.abstract-toggle") && details.open) {
      markRead(cardOf(details));
    }
  }

  function markThisPaper() {
    var found = /^\/papers\/(.+)$/.exec(location.pathname);
    if (!found) {
      return;
    }
    var card = document.querySelector(CARD + '[data-paper="' + CSS.escape(decodeURIComponent(found[1])) + '"]');
    if (card) {
      markRead(card); // the page is open: the paper is read (the GET itself never writes)
    }
  }

  // --- keys ---

  function choose(card) {
    if (current && current !== card) {
      current.classList.remove("current");
    }
    current = card;
    card.classList.add("current");
    if (!card.hasAttribute("tabindex")) {
      card.setAttribute("tabindex", "-1");
    }
    card.focus({ preventScroll: true });
    card.scrollIntoView({ block: "nearest" });
  }

  function present() {
    var focused = cardOf(document.activeElement);
    if (focused) {
      return focused;
    }
    return current && current.isConnected ? current : null;
  }

  function step(by) {
    var cards = visibleCards();
    var at = cards.indexOf(present());
    if (at < 0) {
      // nothing chosen yet: start from the first card on the screen
      var first = cards.findIndex(function (card) {
        return card.getBoundingClientRect().bottom > 0;
      });
      at = first < 0 ? cards.length - 1 : first;
    } else {
      at = Math.max(0, Math.min(cards.length - 1, at + by));
    }
    if (cards.length) {
      choose(cards[at]);
    }
  }

  function press(signals) {
    var card = present();
    if (!card) {
      return;
    }
    var selector = signals
      .map(function (signal) {
        return '.actions form[action$="/' + signal + '"] button';
      })
      .join(", ");
    var button = card.querySelector(selector);
    if (button) {
      button.click();
    }
  }

  function openOnArxiv() {
    var card = present();
    var link = card && card.querySelector('.links a[href^="https://arxiv.org/abs/"], .title a[href^="https://arxiv.org/"]');
    if (link) {
      markRead(card);
      window.open(link.href, "_blank", "noopener");
    }
  }

  function search() {
    var box = document.querySelector(".reader-search input");
    if (box) {
      box.focus();
      box.select();
    }
  }

  function help() {
    var dialog = document.getElementById("keys-help");
    if (dialog && !dialog.open) {
      dialog.showModal();
    }
  }

  var KEYS = {
    j: function () { step(1); },
    k: function () { step(-1); },
    s: function () { press(["star", "unstar"]); },
    x: function () { press(["dismiss", "undismiss"]); },
    o: openOnArxiv,
    "/": search,
    "?": help
  };
  var REPEATS = { j: true, k: true };

  function typing(target) {
    return Boolean(target && (target.isContentEditable || (target.closest && target.closest(TYPING))));
  }

  function keyed(event) {
    var action = KEYS[event.key];
    if (!action || event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey || event.isComposing) {
      return;
    }
    var dialog = document.getElementById("keys-help");
    if (typing(event.target) || (dialog && dialog.open) || (event.repeat && !REPEATS[event.key])) {
      return;
    }
    event.preventDefault();
    action();
  }

  function clicked(event) {
    var card = cardOf(event.target);
    if (card && card !== current) {
      if (current) {
        current.classList.remove("current");
      }
      current = card; // the keys act on the card last clicked, which a click needs not mark
    }
    openedLink(event);
  }

  // --- htmx ---

  function settled(event) {
    var element = event.target;
    if (!element.isConnected) {
      return;
    }
    if (typeof window.dailypapersTypeset === "function") {
      window.dailypapersTypeset(element.closest(".paper") || element);
    }
    var card = cardOf(element);
    if (card && element.matches(".actions")) {
      // the button bar says the paper's state: the card shows it at once, as a reload would
      card.classList.toggle("starred", Boolean(element.querySelector('form[action$="/unstar"]')));
      card.classList.toggle("dismissed", Boolean(element.querySelector('form[action$="/undismiss"]')));
    }
  }

  function failed(event) {
    var xhr = event.detail && event.detail.xhr;
    // the reader's refusals and "try again" are one line of plain text, shown as text
    var text = xhr && xhr.status ? String(xhr.responseText || "").split("\n")[0].slice(0, 300) : "";
    say(text || "The reader did not answer: is dailypapers serve still running?");
  }

  function start() {
    document.addEventListener("keydown", keyed);
    document.addEventListener("click", clicked);
    document.addEventListener("auxclick", openedLink);
    document.addEventListener("toggle", toggled, true); // toggle does not bubble
    document.body.addEventListener("htmx:afterSettle", settled);
    document.body.addEventListener("htmx:responseError", failed);
    document.body.addEventListener("htmx:sendError", failed);
    var hint = document.querySelector(".keys-hint");
    if (hint) {
      hint.hidden = false;
      hint.querySelector(".keys-open").addEventListener("click", help);
    }
    markThisPaper();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
