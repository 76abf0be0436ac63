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
        // The words come from the template (translated); red only once the cashier touched the
        // group or tried to add: an untouched dialog is not an error.
        var text = min === 1 ? hint.dataset.msgOne : (hint.dataset.msgMany || "").replace("{n}", String(min));
        hint.hidden = !missing;
        hint.textContent = missing ? text : "";
        hint.classList.toggle("is-error", missing && (group.hasAttribute("data-touched") || form.hasAttribute("data-tried")));
      }
      if (missing) { ok = false; }
    });
    var submit = form.querySelector("[type=submit]");
    if (submit) { submit.disabled = !ok; }
  }

  document.addEventListener("change", function (event) {
    var form = event.target.closest("[data-options-form]");
    if (form) {
      var group = event.target.closest("fieldset.opt-group");
      if (group) { group.setAttribute("data-touched", ""); }
      checkOptions(form);
    }
    var denoms = event.target.closest("[data-denoms]");
    if (denoms) { sumDenominations(denoms); }
  });
  document.addEventListener("input", function (event) {
    var denoms = event.target.closest("[data-denoms]");
    if (denoms) { sumDenominations(denoms); }
  });

  // --- refund amount before submitting -------------------------------------------------------------
  // Per line: its net amount per unit rounded down, the last unit taking the rest (the same rule as
  // payments' line_refund_amount), so the preview is what the refund will be.
  function refundPreview(form) {
    var out = form.querySelector("[data-refund-amount]");
    if (!out) { return; }
    var mode = form.querySelector("input[name=mode]:checked");
    var total = 0;
    if (!mode || mode.value === "all") {
      total = parseInt(out.dataset.all || "0", 10);
    } else {
      form.querySelectorAll("input[data-net]").forEach(function (input) {
        var qty = parseInt(input.value || "0", 10);
        if (!(qty > 0)) { return; }
        var net = parseInt(input.dataset.net, 10), quantity = parseInt(input.dataset.quantity, 10);
        var done = parseInt(input.dataset.done || "0", 10);
        var perUnit = Math.floor(net / quantity);
        total += perUnit * qty + (done + qty === quantity ? net - perUnit * quantity : 0);
      });
    }
    out.textContent = (out.dataset.wonZero || "0").replace("0", total.toLocaleString("ko-KR"));
  }

  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("[data-refund-form]");
    if (form) { refundPreview(form); }
  });
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("[data-refund-form]");
    if (form) { refundPreview(form); }
  });

  // --- denomination helper -------------------------------------------------------------------------
  function sumDenominations(box) {
    var total = 0;
    box.querySelectorAll("[data-denom]").forEach(function (input) {
      var count = parseInt(input.value || "0", 10);
      if (count > 0) { total += count * parseInt(input.dataset.denom, 10); }
    });
    var out = box.querySelector("[data-denom-total]");
    // data-won-zero is zero as the template's won filter writes it, so the unit comes translated.
    if (out) { out.textContent = (out.dataset.wonZero || "0").replace("0", total.toLocaleString("ko-KR")); }
    var target = document.getElementById(box.dataset.target || "");
    if (target) { target.value = total ? String(total) : ""; }
  }

  // --- one tap, one add: a product form keeps one token until its request is answered --------------
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("form[data-tap]");
    if (!form) { return; }
    if (!form.dataset.tapToken) {
      form.dataset.tapToken = Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
    }
    event.detail.parameters.tap = form.dataset.tapToken;
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("form[data-tap]");
    if (form) { delete form.dataset.tapToken; }
  });

  // --- on-screen keypads (PIN, float, cash received) -----------------------------------------------
  // A keypad types into its data-keypad input (by id), or else into the input of its form that had
  // the focus last (amount or received). The keyboard keeps working: the keypad only adds keys.
  document.addEventListener("focusin", function (event) {
    var input = event.target;
    if (input.tagName === "INPUT" && input.form && input.name) { input.form.setAttribute("data-last-input", input.name); }
  });

  function keypadTarget(pad) {
    if (pad.dataset.keypad) { return document.getElementById(pad.dataset.keypad); }
    var form = pad.closest("form");
    if (!form) { return null; }
    var name = form.getAttribute("data-last-input") || pad.dataset.keypadDefault || "";
    return name ? form.elements[name] : null;
  }

  document.addEventListener("click", function (event) {
    var key = event.target.closest("[data-keypad] [data-key]");
    if (!key) { return; }
    var input = keypadTarget(key.closest("[data-keypad]"));
    if (!input) { return; }
    event.preventDefault();
    var value = input.value || "";
    var k = key.dataset.key;
    if (k === "back") { value = value.slice(0, -1); }
    else if (k === "clear") { value = ""; }
    else if (!input.maxLength || input.maxLength < 0 || value.length + k.length <= input.maxLength) { value = value + k; }
    // An amount drops leading zeros; a PIN keeps them.
    input.value = input.type === "number" ? value.replace(/^0+(?=\d)/, "") : value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });

  // A tap on an error message dismisses it.
  document.addEventListener("click", function (event) {
    var message = event.target.closest("#messages .message");
    if (message) { message.remove(); }
  });

  // Tried to add with a required group left open: now the hint may be red.
  document.addEventListener("submit", function (event) {
    if (event.target.matches && event.target.matches("[data-options-form]")) {
      event.target.setAttribute("data-tried", "");
      checkOptions(event.target);
    }
  }, true);

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
