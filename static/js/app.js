// Small shared behaviour. htmx swaps 4xx responses too, so a DomainError partial shows its message.
document.addEventListener("htmx:beforeSwap", function (event) {
  var status = event.detail.xhr.status;
  if (status >= 400 && status < 500) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// A region redrawn by htmx (the POS cart) is replaced whole, and a screen reader does not announce a
// live region that is itself new; so a swapped element's data-announce text is copied into one
// polite live region that stays on the page.
document.addEventListener("htmx:afterSwap", function (event) {
  var region = event.target;
  var text = region && region.getAttribute && region.getAttribute("data-announce");
  if (!text) return;
  var announcer = document.getElementById("sr-announcer");
  if (!announcer) {
    announcer = document.createElement("div");
    announcer.id = "sr-announcer";
    announcer.className = "sr-only";
    announcer.setAttribute("role", "status");
    announcer.setAttribute("aria-live", "polite");
    document.body.appendChild(announcer);
  }
  announcer.textContent = text;
});
