// The paper page's Copy button: puts the BibTeX entry on the clipboard. Without script the button stays hidden
// and the entry is plain text in the page, ready to select.
"use strict";

function copied(status, text) {
  status.textContent = text;
  window.setTimeout(() => { status.textContent = ""; }, 2500);
}

function copyBySelection(source) {
  const range = document.createRange();
  range.selectNodeContents(source);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  const done = document.execCommand("copy");
  selection.removeAllRanges();
  return done;
}

function copy(button) {
  const source = document.getElementById(button.dataset.copy);
  const status = button.parentElement.querySelector(".copy-status");
  if (!source || !status) {
    return;
  }
  const fallback = () => copied(status, copyBySelection(source) ? "Copied" : "Select the text and copy it");
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(source.textContent).then(() => copied(status, "Copied"), fallback);
  } else {
    fallback();
  }
}

document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button.copy[data-copy]")) {
    button.hidden = false;
    button.addEventListener("click", () => copy(button));
  }
});
