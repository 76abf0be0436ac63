// Kiosk behaviour on top of pages that already work without JavaScript: the idle prompt and reset,
// live sold-out updates, the product price as options change, polling a payment, the finished
// screen's return to welcome, accessibility modes without a reload, the keypad (Tab, arrows, Enter,
// Escape, F2 for voice guidance) and voice guidance.
(function () {
  "use strict";

  // 12,300원 in Korean, ₩12,300 in English (as the kiosk's `won` template filter writes it).
  function won(amount) {
    var sign = amount < 0 ? "-" : "";
    var digits = Math.abs(amount).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    if ((document.documentElement.lang || "").indexOf("en") === 0) return sign + "\u20a9" + digits;
    return sign + digits + "원";
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
      // A keypad user moving between the prompt's two buttons (or pressing Escape, which answers
      // "계속 주문하기" through its click) has not chosen yet: only a touch or Enter does.
      if (promptShownAt && event && event.type === "keydown" && /^(Tab|Shift|Arrow|Escape)/.test(event.key)) return;
      lastActivity = Date.now();
      if (promptShownAt) hidePrompt();
    }
    function showPrompt() {
      promptShownAt = Date.now();
      if (prompt) {
        prompt.hidden = false;
        var title = prompt.querySelector("h2");
        speak([title && textOf(title)]);
        var button = prompt.querySelector("[data-idle-continue]");
        if (button) button.focus();
      }
    }
    function hidePrompt() {
      promptShownAt = 0;
      if (prompt) prompt.hidden = true;
    }
    var continueButton = prompt && prompt.querySelector("[data-idle-continue]");
    if (continueButton) {
      continueButton.addEventListener("click", function () {
        activity();
      });
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
          // The next customer starts without voice guidance (the session forgets the mode too).
          stopSpeaking();
          if (resetForm) resetForm.submit();
        }
      }
    }, 250);
  }

  // --- live menu: htmx polls the menu version (partials/menu_poll.html); when it changed the
  // server sends the kiosk:menu-changed event and the menu and product regions redraw themselves
  // here, keeping what the customer chose (the cart region refreshes through htmx alone). ---------
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
        // A background refresh must not throw a keyboard user's focus back to the top of the page.
        var focusKey = region.contains(document.activeElement) ? controlKey(document.activeElement) : null;
        region.replaceWith(fresh);
        if (focusKey) {
          var same = fresh.querySelector(focusKey);
          if (same) same.focus({ preventScroll: true });
        }
        if (window.htmx) window.htmx.process(fresh);
        updatePrices(fresh);
      });
    });
  }

  document.addEventListener("kiosk:menu-changed", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-live-url]"), refreshRegion);
  });

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
    if (mode === "voice") {
      if (on) {
        speak([button && button.dataset.voiceOn].concat(screenSummary()));
      } else {
        stopSpeaking();
      }
    }
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    }).catch(function () {});
  });

  // --- a GET page whose change is a POST (the card's fail redirect): send it at once ------------
  function autoSubmit() {
    var form = document.querySelector("form[data-auto-submit]");
    if (form) form.requestSubmit();
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

  // --- voice guidance (음성 안내): an opt-in mode read through the browser's speech synthesis ---
  // It reads each screen's heading with its total, the focused control (a product with its price),
  // and what changes (the product price, messages). The language is the page's (<html lang>).
  function voiceOn() {
    return document.body.classList.contains("mode-voice");
  }

  function textOf(element) {
    if (!element) return "";
    var text = element.dataset.speak || element.getAttribute("aria-label") || element.innerText || element.textContent;
    return (text || "").replace(/\s+/g, " ").trim();
  }

  function stopSpeaking() {
    if (window.speechSynthesis) window.speechSynthesis.cancel();
  }

  // The queue outlives the page in some browsers: leaving a screen cuts it off, the next one reads itself.
  window.addEventListener("pagehide", stopSpeaking);

  // Speaks the texts in order, cutting off what was being read: the newest thing is what matters.
  function speak(texts) {
    if (!voiceOn() || !window.speechSynthesis || !window.SpeechSynthesisUtterance) return;
    var lang = document.documentElement.lang || "ko";
    stopSpeaking();
    texts.forEach(function (text) {
      if (!text) return;
      var utterance = new window.SpeechSynthesisUtterance(text);
      utterance.lang = lang;
      window.speechSynthesis.speak(utterance);
    });
  }

  function screenSummary() {
    var body = document.getElementById("kiosk-body");
    if (!body) return [];
    var heading = body.querySelector("h1");
    // What just happened ("… 담았습니다", an error) comes first, then where the customer is now.
    var texts = Array.prototype.map.call(document.querySelectorAll("#messages .message"), textOf);
    texts.push(textOf(heading));
    document.querySelectorAll("#kiosk-app [data-speak-on-load]").forEach(function (element) {
      texts.push(textOf(element));
    });
    return texts;
  }

  function describeControl(control) {
    var voice = document.querySelector("[data-voice-toggle]");
    if (control.type === "checkbox" || control.type === "radio") {
      var label = control.labels && control.labels[0];
      var state = voice && (control.checked ? voice.dataset.voiceChecked : voice.dataset.voiceUnchecked);
      return [textOf(label || control) + (state ? ", " + state : "")];
    }
    if (control.name === "qty") {
      var qtyLabel = control.labels && control.labels[0];
      return [textOf(qtyLabel) + " " + control.value];
    }
    return [textOf(control)];
  }

  document.addEventListener("focusin", function (event) {
    if (!voiceOn() || !event.target.closest) return;
    var control = event.target;
    if (control.matches("h1, h2")) return; // headings are read with the screen
    speak(describeControl(control));
  });

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!voiceOn() || (input.name !== "option" && input.name !== "qty")) return;
    var form = input.form;
    var total = form && form.querySelector("[data-price-total]");
    speak(describeControl(input).concat([total && textOf(total.closest("button") || total)]));
  });

  // --- keyboard: a tactile keypad sends Tab, arrows, Enter and Escape ------------------------
  var FOCUSABLE = "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select, textarea";

  function visible(element) {
    return !!(element.offsetWidth || element.offsetHeight || element.getClientRects().length);
  }

  function focusables(scope) {
    return Array.prototype.filter.call(scope.querySelectorAll(FOCUSABLE), visible);
  }

  // A selector that finds "the same" control again after its region is redrawn.
  function controlKey(element) {
    if (!element || element === document.body) return null;
    if (element.dataset && element.dataset.testid) return "[data-testid='" + element.dataset.testid + "']";
    if (element.id) return "#" + element.id;
    return null;
  }

  // Where focus goes when a screen or a swapped region appears: a new screen starts at its heading
  // (made focusable without joining the Tab order) so it is read first; a swapped region at its
  // marked control (the category tab just chosen), else its heading, else its first control.
  function focusRegion(region, isScreen) {
    var marked = region.querySelector("[data-focus-after-swap]");
    var heading = region.querySelector("h1, h2");
    var target = isScreen ? heading || marked : marked || heading;
    if (target && target.matches("h1, h2") && !target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    if (!target) target = focusables(region)[0];
    if (target) target.focus({ preventScroll: false });
    return target;
  }

  // Arrow keys move between the controls of a [data-arrow-nav] group: left/right in reading
  // order, up/down to the nearest control in the row above or below (grids of cards and options).
  function arrowMove(group, current, key) {
    var items = focusables(group);
    var index = items.indexOf(current);
    if (index < 0) return null;
    if (key === "ArrowLeft") return items[index - 1] || null;
    if (key === "ArrowRight") return items[index + 1] || null;
    var here = current.getBoundingClientRect();
    var down = key === "ArrowDown";
    var best = null;
    var bestScore = Infinity;
    items.forEach(function (item) {
      var box = item.getBoundingClientRect();
      var dy = down ? box.top - here.bottom : here.top - box.bottom;
      if (dy < -1) return;
      var score = dy * 1000 + Math.abs(box.left + box.width / 2 - (here.left + here.width / 2));
      if (item !== current && score < bestScore) {
        best = item;
        bestScore = score;
      }
    });
    return best;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    var voice = document.querySelector("[data-voice-toggle]");
    if (event.key === "F2" && voice) {
      event.preventDefault();
      voice.form.requestSubmit(voice);
      return;
    }
    if (event.key === "Escape") {
      var idle = document.getElementById("kiosk-idle");
      var back = idle && !idle.hidden ? idle.querySelector("[data-idle-continue]") : document.querySelector("[data-kiosk-escape]");
      if (back) {
        event.preventDefault();
        back.click();
      }
      return;
    }
    if (event.key === "Enter" && (target.type === "checkbox" || target.type === "radio")) {
      // Enter on a keypad chooses an option like a tap does (Space already toggles it).
      event.preventDefault();
      target.click();
      return;
    }
    if (event.key.indexOf("Arrow") === 0 && target.closest) {
      if (target.type === "number" || target.type === "text") return; // the arrows change the value
      var group = target.closest("[data-arrow-nav]");
      var next = group && arrowMove(group, target, event.key);
      if (next) {
        event.preventDefault();
        next.focus();
      }
    }
  });

  // The cart's + / − / 삭제 are plain form posts that come back to the same screen: remember the
  // control that posted and, when the same screen returns, focus it (or its line's first control
  // if it went away) instead of the heading, so the keypad user stays where they were.
  var RETURN_KEY = "kiosk-return-focus";

  function lineScoped(element) {
    var key = controlKey(element);
    var line = element.closest && element.closest("[data-line-id]");
    if (!key || !line) return key;
    return "[data-line-id='" + line.dataset.lineId + "'] " + key;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    if (!submitter || !form.closest || !form.closest("#kiosk-app") || form.method.toLowerCase() !== "post") return;
    if (!submitter.closest("[data-line-id]")) return;
    try {
      window.sessionStorage.setItem(RETURN_KEY, JSON.stringify({ path: window.location.pathname, key: lineScoped(submitter) }));
    } catch (e) {}
  });

  function returnFocus() {
    var saved = null;
    try {
      saved = JSON.parse(window.sessionStorage.getItem(RETURN_KEY) || "null");
      window.sessionStorage.removeItem(RETURN_KEY);
    } catch (e) {}
    if (!saved || saved.path !== window.location.pathname || !saved.key) return null;
    var target = document.querySelector(saved.key);
    if (target && !target.disabled && visible(target)) target.focus();
    return target && document.activeElement === target ? target : null;
  }

  // While the idle prompt is up, Tab stays on its two buttons (it is a modal dialog).
  document.addEventListener("keydown", function (event) {
    var idle = document.getElementById("kiosk-idle");
    if (event.key !== "Tab" || !idle || idle.hidden) return;
    var buttons = focusables(idle);
    if (!buttons.length) return;
    var index = buttons.indexOf(document.activeElement);
    var next = event.shiftKey ? index - 1 : index + 1;
    event.preventDefault();
    buttons[(next + buttons.length) % buttons.length].focus();
  });

  // After every htmx swap inside the kiosk (a category tab), focus the new content so the keypad
  // and the screen reader continue from there. Messages (#messages) announce themselves instead.
  // Swaps nobody asked for (the cart redrawn because the menu changed, the pollers) must not move
  // the keypad user's focus: it stays on the same control of the same line if that is still there.
  function isBackground(event) {
    var source = event.detail && event.detail.elt;
    return !!(source && source.hasAttribute && source.hasAttribute("data-background-refresh"));
  }
  var backgroundFocus = null;

  document.addEventListener("htmx:beforeSwap", function (event) {
    if (!isBackground(event)) return;
    var source = event.detail.elt;
    backgroundFocus = source.contains(document.activeElement) ? lineScoped(document.activeElement) : null;
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    if (!isBackground(event) || !backgroundFocus) return;
    var same = document.querySelector(backgroundFocus);
    backgroundFocus = null;
    if (same && !same.disabled) same.focus({ preventScroll: true });
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var region = event.target;
    if (!region || !region.closest || isBackground(event)) return;
    if (region.closest("#kiosk-app")) {
      focusRegion(region);
    } else if (region.id === "messages") {
      speak([textOf(region)]);
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var root = app();
    if (!root) return;
    var body = document.getElementById("kiosk-body");
    var returned = returnFocus();
    if (body && !returned) focusRegion(body, true);
    speak(screenSummary().concat(returned ? describeControl(returned) : []));
    setupIdle(root);
    autoSubmit();
    setupReturn(root);
    updatePrices(document);
  });
})();
