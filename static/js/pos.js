// POS screen behaviour. Everything here is a convenience on top of plain forms that already work
// without JavaScript: dialogs close, option limits are shown before the server checks them,
// the denomination helper adds up, receipts print.
(function () {
  "use strict";

  function dialogHost() { return document.getElementById("dialog"); }

  function closeDialog() {
    var host = dialogHost();
    if (host) { host.innerHTML = ""; }
  }

  document.addEventListener("click", function (event) {
    var closer = event.target.closest("[data-close-dialog]");
    if (closer && dialogHost() && dialogHost().contains(closer)) {
      event.preventDefault();
      closeDialog();
      return;
    }
    if (event.target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { closeDialog(); }
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test((event.target.tagName || ""));
    if (!typing && event.key === "/") {
      var search = document.getElementById("menu-search");
      if (search) { event.preventDefault(); search.focus(); }
    }
    if (event.key === "F2") {
      var barcode = document.getElementById("barcode");
      if (barcode) { event.preventDefault(); barcode.focus(); }
    }
  });

  // A new action clears the last error message (polls do not: they are not the cashier's doing).
  document.addEventListener("htmx:beforeRequest", function (event) {
    var verb = (event.detail.requestConfig && event.detail.requestConfig.verb) || "";
    if (verb.toLowerCase() === "post") {
      var messages = document.getElementById("messages");
      if (messages) { messages.innerHTML = ""; }
    }
  });

  // --- options dialog: min/max per group ---------------------------------------------------------
  function checkOptions(form) {
    var ok = true;
    form.querySelectorAll("fieldset.opt-group").forEach(function (group) {
      var min = parseInt(group.dataset.min || "0", 10);
      var max = parseInt(group.dataset.max || "1", 10);
      var inputs = group.querySelectorAll("input[name=option]");
      var picked = group.querySelectorAll("input[name=option]:checked").length;
      if (inputs.length && inputs[0].type === "checkbox") {
        inputs.forEach(function (input) {
          if (!input.checked && input.dataset.soldout !== "1") {
            input.disabled = picked >= max || input.closest(".opt").classList.contains("is-soldout");
          }
        });
      }
      var hint = group.querySelector("[data-opt-hint]");
      var missing = picked < min;
      if (hint) {
        hint.hidden = !missing;
        hint.textContent = missing ? (min === 1 ? "선택해 주세요." : min + "개 이상 선택해 주세요.") : "";
      }
      if (missing) { ok = false; }
    });
    var submit = form.querySelector("[type=submit]");
    if (submit) { submit.disabled = !ok; }
  }

  document.addEventListener("change", function (event) {
    var form = event.target.closest("[data-options-form]");
    if (form) { checkOptions(form); }
    var denoms = event.target.closest("[data-denoms]");
    if (denoms) { sumDenominations(denoms); }
  });
  document.addEventListener("input", function (event) {
    var denoms = event.target.closest("[data-denoms]");
    if (denoms) { sumDenominations(denoms); }
  });

  // --- denomination helper -------------------------------------------------------------------------
  function sumDenominations(box) {
    var total = 0;
    box.querySelectorAll("[data-denom]").forEach(function (input) {
      var count = parseInt(input.value || "0", 10);
      if (count > 0) { total += count * parseInt(input.dataset.denom, 10); }
    });
    var out = box.querySelector("[data-denom-total]");
    if (out) { out.textContent = total.toLocaleString("ko-KR") + "원"; }
    var target = document.getElementById(box.dataset.target || "");
    if (target) { target.value = total ? String(total) : ""; }
  }

  function init(root) {
    root.querySelectorAll("[data-options-form]").forEach(checkOptions);
    var options = root.querySelector("[data-options-form] input[name=option]:not([disabled])");
    if (options && root !== document) { options.focus(); }
  }

  document.addEventListener("htmx:afterSwap", function (event) { init(event.detail.target || document); });
  document.addEventListener("DOMContentLoaded", function () {
    init(document);
    if (document.body.hasAttribute("data-auto-print")) { window.setTimeout(function () { window.print(); }, 300); }
  });
})();
