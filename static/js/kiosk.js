// Kiosk behaviour on top of pages that already work without JavaScript: the idle prompt and reset,
// live sold-out updates, the product price as options change, polling a payment, the finished
// screen's return to welcome, and accessibility modes without a reload.
(function () {
  "use strict";

  function won(amount) {
    var sign = amount < 0 ? "-" : "";
    return sign + Math.abs(amount).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",") + "원";
  }

  function app() {
    return document.getElementById("kiosk-app");
  }

  // --- idle: a prompt after N seconds without a touch, then reset after the grace period -----
  function setupIdle(root) {
    var idleSeconds = parseFloat(root.dataset.idleSeconds || "0");
    if (!idleSeconds) return;
    var graceSeconds = parseFloat(root.dataset.idleGrace || "15");
    var prompt = document.getElementById("kiosk-idle");
    var countdown = prompt && prompt.querySelector("[data-idle-countdown]");
    var resetForm = document.getElementById(root.dataset.resetForm || "kiosk-reset-form");
    var lastActivity = Date.now();
    var promptShownAt = 0;
    var resetting = false;

    function activity(event) {
      if (resetting) return;
      if (promptShownAt && event && event.target && event.target.closest && event.target.closest("[form='kiosk-reset-form']")) return;
      lastActivity = Date.now();
      if (promptShownAt) hidePrompt();
    }
    function showPrompt() {
      promptShownAt = Date.now();
      if (prompt) {
        prompt.hidden = false;
        var button = prompt.querySelector("[data-idle-continue]");
        if (button) button.focus();
      }
    }
    function hidePrompt() {
      promptShownAt = 0;
      if (prompt) prompt.hidden = true;
    }
    ["pointerdown", "touchstart", "keydown", "input", "wheel"].forEach(function (name) {
      document.addEventListener(name, activity, { capture: true, passive: true });
    });
    window.setInterval(function () {
      if (resetting) return;
      var now = Date.now();
      if (!promptShownAt && now - lastActivity >= idleSeconds * 1000) {
        showPrompt();
      } else if (promptShownAt) {
        var left = Math.max(0, Math.ceil(graceSeconds - (now - promptShownAt) / 1000));
        if (countdown) countdown.textContent = String(left);
        if (now - promptShownAt >= graceSeconds * 1000) {
          resetting = true;
          if (resetForm) resetForm.submit();
        }
      }
    }, 250);
  }

  // --- live menu: poll the menu version; refresh the live regions when it changes ------------
  function refreshRegion(region) {
    var url = region.dataset.liveUrl;
    var checked = Array.prototype.map.call(region.querySelectorAll("input[name=option]:checked"), function (i) {
      return i.value;
    });
    var qtyInput = region.querySelector("input[name=qty]");
    var qty = qtyInput ? qtyInput.value : null;
    return fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" }).then(function (response) {
      if (response.status === 404) {
        // Not on sale any more at all: back to the menu.
        window.location.assign(region.dataset.goneUrl || "/kiosk/menu/");
        return;
      }
      if (!response.ok) return;
      return response.text().then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html.trim();
        var fresh = holder.firstElementChild;
        if (!fresh) return;
        // Keep what the customer already chose, except options that just sold out.
        checked.forEach(function (value) {
          var input = fresh.querySelector("input[name=option][value='" + value + "']");
          if (input && !input.disabled) input.checked = true;
        });
        var freshQty = fresh.querySelector("input[name=qty]");
        if (freshQty && qty) freshQty.value = qty;
        region.replaceWith(fresh);
        if (window.htmx) window.htmx.process(fresh);
        updatePrices(fresh);
      });
    });
  }

  function setupMenuPoll(root) {
    var url = root.dataset.menuVersionUrl;
    if (!url) return;
    var version = root.dataset.menuVersion || "";
    var interval = parseInt(root.dataset.menuPollMs || "2000", 10);
    var busy = false;
    window.setInterval(function () {
      if (busy || document.hidden) return;
      busy = true;
      fetch(url + "?v=" + encodeURIComponent(version), { credentials: "same-origin" })
        .then(function (response) {
          if (response.status !== 200) return null;
          return response.json();
        })
        .then(function (data) {
          if (!data || !data.version || data.version === version) return;
          version = data.version;
          root.dataset.menuVersion = version;
          return Promise.all(Array.prototype.map.call(document.querySelectorAll("[data-live-url]"), refreshRegion));
        })
        .catch(function () {})
        .then(function () {
          busy = false;
        });
    }, interval);
  }

  // --- product: live price and per-group max -------------------------------------------------
  function updatePrices(scope) {
    (scope || document).querySelectorAll("[data-price-form]").forEach(function (form) {
      var unit = parseInt(form.dataset.basePrice || "0", 10);
      form.querySelectorAll("input[name=option]:checked").forEach(function (input) {
        unit += parseInt(input.dataset.priceDelta || "0", 10);
      });
      var qtyInput = form.querySelector("input[name=qty]");
      var qty = Math.max(1, parseInt((qtyInput && qtyInput.value) || "1", 10) || 1);
      var output = form.querySelector("[data-price-total]");
      if (output) output.textContent = won(unit * qty);
    });
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.name === "option") {
      var group = input.closest("fieldset[data-max]");
      if (group && input.checked) {
        var max = parseInt(group.dataset.max || "1", 10);
        var chosen = group.querySelectorAll("input[name=option]:checked");
        if (chosen.length > max) {
          if (max === 1) {
            chosen.forEach(function (other) {
              if (other !== input) other.checked = false;
            });
          } else {
            input.checked = false;
          }
        }
      }
    }
    if (input.name === "option" || input.name === "qty") updatePrices(input.form ? input.form.parentNode : document);
  });

  document.addEventListener("click", function (event) {
    var step = event.target.closest && event.target.closest("[data-qty-step]");
    if (!step) return;
    var form = step.closest("form");
    var qtyInput = form && form.querySelector("input[name=qty]");
    if (!qtyInput) return;
    var next = (parseInt(qtyInput.value, 10) || 1) + parseInt(step.dataset.qtyStep, 10);
    qtyInput.value = String(Math.min(parseInt(qtyInput.max || "20", 10), Math.max(1, next)));
    updatePrices(form.parentNode);
  });

  // --- accessibility modes: switch at once, remember in the session --------------------------
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("kiosk-mode-form")) return;
    event.preventDefault();
    var mode = form.dataset.mode;
    var on = document.body.classList.toggle("mode-" + mode);
    var button = form.querySelector("button");
    if (button) button.setAttribute("aria-pressed", on ? "true" : "false");
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    }).catch(function () {});
  });

  // --- payment processing: poll until the payment is completed or failed ---------------------
  function setupStatusPoll(root) {
    var url = root.dataset.statusUrl;
    if (!url) return;
    var interval = parseInt(root.dataset.statusPollMs || "1000", 10);
    window.setInterval(function () {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (data) {
          if (data && data.redirect) window.location.assign(data.redirect);
        })
        .catch(function () {});
    }, interval);
  }

  // --- finished: back to welcome after N seconds ---------------------------------------------
  function setupReturn(root) {
    var seconds = parseFloat(root.dataset.returnSeconds || "0");
    if (!seconds) return;
    var target = root.dataset.returnUrl || "/kiosk/";
    var countdown = document.querySelector("[data-return-countdown]");
    var started = Date.now();
    var timer = window.setInterval(function () {
      var left = Math.max(0, Math.ceil(seconds - (Date.now() - started) / 1000));
      if (countdown) countdown.textContent = String(left);
      if (left <= 0) {
        window.clearInterval(timer);
        window.location.assign(target);
      }
    }, 250);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = app();
    if (!root) return;
    setupIdle(root);
    setupMenuPoll(root);
    setupStatusPoll(root);
    setupReturn(root);
    updatePrices(document);
  });
})();
