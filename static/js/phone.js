// A guest's phone menu: ask every 5 s whether the menu changed (a 204 while it did not); when it
// did, swap in the fresh menu so a sold-out item greys out without the guest reloading.
(function () {
  function poll() {
    var menu = document.getElementById("phone-menu");
    if (!menu) return;
    var url = menu.dataset.versionUrl + "?v=" + encodeURIComponent(menu.dataset.version || "");
    fetch(url, { credentials: "same-origin" }).then(function (answer) {
      if (answer.status !== 200) return null;
      return fetch(window.location.pathname, { credentials: "same-origin" }).then(function (page) { return page.text(); });
    }).then(function (html) {
      if (!html) return;
      var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("phone-menu");
      if (fresh) menu.replaceWith(fresh);
    }).catch(function () {});
  }
  document.addEventListener("DOMContentLoaded", function () { setInterval(poll, 5000); });
})();
