// The admin's ECHE import job page follows the import in place: every 2 s it reads the page again and puts the
// new status into its status box (a role=status region), so keyboard focus and a screen reader's position stay
// where they are (a timed reload moved both back to the top). It stops once the job has ended.
(function () {
  "use strict";
  var box = document.getElementById("import-job-status");
  if (!box || box.getAttribute("data-finished") === "true") return;
  var timer = window.setInterval(function () {
    window.fetch(window.location.href, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("import-job-status");
        if (!fresh) return;
        box.innerHTML = fresh.innerHTML;
        if (fresh.getAttribute("data-finished") === "true") window.clearInterval(timer);
      })
      .catch(function () { /* the next tick tries again */ });
  }, 2000);
})();
