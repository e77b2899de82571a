// Alliance Builder: small behaviours. No inline scripts anywhere, so the Content Security Policy stays strict.
(function () {
  "use strict";
  // Ask before destructive actions: any form or button with data-confirm.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute("data-confirm");
    // htmx-driven forms are confirmed by the htmx:confirm handler below, once.
    if (message && !form.hasAttribute("hx-post") && !window.confirm(message)) {
      event.preventDefault();
    }
  });
  document.addEventListener("htmx:confirm", function (event) {
    var elt = event.detail.elt;
    var message = elt.getAttribute("data-confirm");
    if (!message) return;
    event.preventDefault();
    if (window.confirm(message)) event.detail.issueRequest(true);
  });

  // The partner of an affiliated entity is asked for only when that role is chosen.
  function syncAffiliatedFields(root) {
    (root || document).querySelectorAll("form").forEach(function (form) {
      var role = form.querySelector("select[name$='role']");
      var field = form.querySelector("[data-affiliated-field]");
      if (!role || !field) return;
      var show = role.value === "affiliated_entity";
      field.classList.toggle("is-hidden", !show);
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[name$='role']")) {
      syncAffiliatedFields(event.target.closest("form").parentNode);
    }
  });

  // Cancel buttons of in-place forms: empty their container.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-clear]") : null;
    if (button) {
      var target = document.querySelector(button.getAttribute("data-clear"));
      if (target) target.innerHTML = "";
      var search = document.getElementById("search-q");
      if (search) search.focus();
      return;
    }
    var print = event.target.closest ? event.target.closest("[data-print]") : null;
    if (print) window.print();
    // The builder header's "Add a participant": straight into the search box (it only scrolled there, and
    // a phone needed a second tap to type).
    var toAdd = event.target.closest ? event.target.closest("a[href='#add-participant']") : null;
    var box = toAdd && document.getElementById("search-q");
    if (box) {
      event.preventDefault();
      box.focus({preventScroll: true});
      showSearch(box);
    }
  });

  // A live count under each text area with a limit: "120 of 2,000 characters", said to screen readers
  // politely; over the limit (a text stored before the cap) it says how much to cut.
  function counterFor(area) {
    var counter = document.getElementById(area.id + "-count");
    if (!counter) {
      counter = document.createElement("div");
      counter.id = area.id + "-count";
      counter.className = "form-text text-end";
      counter.setAttribute("aria-live", "polite");
      area.insertAdjacentElement("afterend", counter);
      area.setAttribute("aria-describedby", ((area.getAttribute("aria-describedby") || "") + " " + counter.id).trim());
    }
    return counter;
  }
  function updateCount(area) {
    var limit = parseInt(area.getAttribute("maxlength"), 10);
    var used = area.value.length;
    var counter = counterFor(area);
    var tooMany = document.body.dataset.tooMany || "%(count)s too many"; // the page's language (base.html)
    var lang = document.documentElement.lang || undefined; // numbers written as the page's language writes them
    function number(value) { return value.toLocaleString(lang); }
    counter.textContent = number(used) + " / " + number(limit) + (used > limit ? " (" + tooMany.replace("%(count)s", number(used - limit)) + ")" : "");
    counter.classList.toggle("text-danger", used > limit);
  }
  function countAll(root) {
    (root || document).querySelectorAll("textarea[maxlength][id]").forEach(updateCount);
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[maxlength][id]")) updateCount(event.target);
  });
  document.addEventListener("DOMContentLoaded", function () { countAll(document); });

  // Confirmations leave by themselves after a while (never while pointed at or focused); errors stay.
  var MESSAGE_SECONDS = 8;
  function dismiss(message) {
    if (!message.isConnected) return;
    if (window.bootstrap) window.bootstrap.Alert.getOrCreateInstance(message).close();
    else message.remove();
  }
  function autodismiss(root) {
    root = root || document;
    var messages = Array.prototype.slice.call(root.querySelectorAll("[data-autodismiss]"));
    if (root.matches && root.matches("[data-autodismiss]")) messages.unshift(root); // swapped in on its own
    messages.forEach(function (message) {
      message.removeAttribute("data-autodismiss");
      message.setAttribute("data-confirmation", "");
      var leave = function () {
        if (message.matches(":hover") || message.contains(document.activeElement)) {
          window.setTimeout(leave, 2000);
        } else {
          dismiss(message);
        }
      };
      window.setTimeout(leave, MESSAGE_SECONDS * 1000);
    });
  }
  // A click or tap elsewhere is the next step: the confirmations make way for it at once (on a phone one may
  // lie over the search box). A tap on a message keeps it, to be read; a scroll is no tap (no click).
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("#messages")) return;
    document.querySelectorAll("#messages [data-confirmation]").forEach(dismiss);
  });
  // So is typing a new search (the results came up under "… added", the fourth "Add…" button beneath it).
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("input[type=search]")) {
      document.querySelectorAll("#messages [data-confirmation]").forEach(dismiss);
    }
  });
  document.addEventListener("DOMContentLoaded", function () { autodismiss(document); });

  // New content from htmx: sync its fields, and give a form that just appeared the keyboard focus.
  document.addEventListener("htmx:load", function (event) {
    var elt = event.detail.elt;
    if (!elt || !elt.querySelector) return;
    syncAffiliatedFields(elt);
    countAll(elt);
    autodismiss(elt);
    var isForm = (elt.matches && elt.matches("tr.table-active")) || (elt.closest && elt.closest("#add-participant-form") && elt.classList.contains("card"));
    if (isForm) {
      var field = elt.querySelector(".is-invalid") || elt.querySelector("select:not([type=hidden]), input:not([type=hidden]), textarea");
      if (field) field.focus({preventScroll: true});
      // A form sent back with a problem: its first notice in view ("… is already in the directory", a
      // refusal), else its first wrong field with its label (the whole form's "nearest" edge was its bottom on
      // a phone: the name and the notice 600-800 px above the screen). Else the whole form in view, its
      // button too (on a phone the first field alone was, the button under the verdict bar).
      var problem = elt.querySelector(".alert") || (field && field.classList.contains("is-invalid") && (field.closest(".mb-3") || field));
      if (problem) problem.scrollIntoView({block: "center", behavior: "instant"});
      else elt.scrollIntoView({block: "nearest", behavior: "instant"});
    }
  });
  document.addEventListener("DOMContentLoaded", function () { syncAffiliatedFields(document); });

  // htmx swaps no error response, so a failed request would show nothing (a removed co-editor's click, a
  // server error, no network): say so, once, as an error message that stays until closed.
  function tellError(kind) {
    var box = document.getElementById("messages");
    var text = box && box.dataset[kind];
    if (!text) return;
    var shown = Array.prototype.some.call(box.querySelectorAll(".alert"), function (alert) {
      return alert.firstChild && alert.firstChild.textContent === text;
    });
    if (shown) return;
    var alert = document.createElement("div");
    alert.className = "alert alert-danger alert-dismissible fade show shadow";
    alert.setAttribute("role", "alert");
    alert.appendChild(document.createTextNode(text));
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("data-bs-dismiss", "alert");
    close.setAttribute("aria-label", box.dataset.close || "Close");
    alert.appendChild(close);
    box.appendChild(alert);
  }
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status === 503) tellError("busy");
    else tellError(status === 403 || status === 404 || status === 410 ? "refused" : "failed");
  });
  document.addEventListener("htmx:sendError", function () { tellError("offline"); });
  // In development (DEBUG, `make run`) django-htmx puts a failed request's error page in place of the whole
  // page. A refusal (403, 404, 410: a removed co-editor's click) is no bug to debug: it is said as in
  // production. This listener comes first (app.js runs before the deferred scripts) and keeps it from theirs.
  document.addEventListener("htmx:beforeOnLoad", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status === 403 || status === 404 || status === 410) event.stopImmediatePropagation();
  });

  // Where the last change of the consortium came from: a participant's row (its id), or the add form. Other
  // requests (the panel refreshing after the change, suggestions) leave it as it is.
  var fromRow = null;
  var fromNeighbour = null;  // the row after it (or before it, the last one): its place if it goes
  var fromAddForm = false;
  var fromInvitation = false;  // the row's invitation controls (Invite, Re-send, Revoke)
  var fromCriterion = null;  // a suggestion added from the checklist: its criterion's code
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (!elt.closest || !elt.closest("#participants, #add-participant-form")) {
      // A change from elsewhere (a suggestion added from the checklist) comes from neither.
      if (event.detail.requestConfig && event.detail.requestConfig.verb === "post") {
        var criterion = elt.closest("[data-criterion]");
        fromCriterion = criterion ? criterion.dataset.criterion : null;
        fromRow = fromNeighbour = null;
        fromAddForm = fromInvitation = false;
      }
      return;
    }
    fromCriterion = null;
    var row = elt.closest("tr[id^='participation-']");
    fromRow = row ? row.id : null;
    var neighbour = row && (row.nextElementSibling || row.previousElementSibling);
    fromNeighbour = neighbour && neighbour.id ? neighbour.id : null;
    fromAddForm = Boolean(elt.closest("#add-participant-form"));
    fromInvitation = Boolean(elt.closest(".invitation"));
  });

  // A suggestion's add that failed brings no new panel to take the focus: the next refresh of the table must
  // not wait for one.
  document.addEventListener("htmx:afterRequest", function (event) {
    if (fromCriterion && !event.detail.successful) fromCriterion = null;
  });

  // A participant added: the response empties the add form, which had the focus. The keyboard and the view
  // go back to the directory search, ready for the next one (the browser would otherwise leave the focus
  // nowhere and the view wherever the shorter page puts it: on a phone, far below in the panel).
  document.addEventListener("htmx:oobAfterSwap", function (event) {
    var target = event.detail.target;
    if (!fromAddForm || !target || target.id !== "add-participant-form" || target.hasChildNodes()) return;
    if (document.activeElement && document.activeElement !== document.body) return;
    var search = document.getElementById("search-q");
    if (!search) return;
    search.focus({preventScroll: true});
    showSearch(search);
  });

  // On a phone the on-screen keyboard covers the lower half of the screen, and the browser only keeps the box
  // one types in above it: the results would arrive under the keyboard. There a search box (the builder's, the
  // directory's) goes to the top of the screen as it takes the focus, its results below it and above the
  // keyboard; elsewhere the builder's goes mid-screen after an add.
  var phoneWidth = window.matchMedia("(max-width: 767.98px)");
  function showSearch(search) {
    var block = phoneWidth.matches ? "start" : "center";
    (phoneWidth.matches ? search.parentNode : search).scrollIntoView({block: block, behavior: "instant"});
  }
  // There a search's filters fold away unless one is chosen (the directory's, from its address).
  document.addEventListener("DOMContentLoaded", function () {
    if (!phoneWidth.matches) return;
    document.querySelectorAll("details.search-filters").forEach(function (filters) {
      var chosen = Array.prototype.some.call(filters.querySelectorAll("select"), function (s) { return s.value; });
      if (!chosen) filters.open = false;
    });
  });
  document.addEventListener("focusin", function (event) {
    var search = event.target;
    if (phoneWidth.matches && search.matches && search.matches("form[role=search] input[type=search]")) {
      showSearch(search);
    }
  });

  // What htmx replaces takes the focus with it: the keyboard would start again from the top of the page.
  // Give it to what stands in the same place: the same mode's button, the same participant's "Change"
  // button, the participants' heading. And when the verdict moves, say the new one (the panel is replaced,
  // so it cannot be a live region itself).
  function shownVerdict() {  // as a screen reader reads it: without what is aria-hidden (the ✔ and ✖ marks)
    var overall = document.querySelector("#eligibility-panel [data-overall]");
    if (!overall) return null;
    var read = overall.cloneNode(true);
    read.querySelectorAll("[aria-hidden='true']").forEach(function (hidden) { hidden.remove(); });
    return read.textContent.trim().replace(/\s+/g, " ");
  }
  var lastVerdict = null;
  // Escape in a row's edit form or in the add form is its Cancel button; with the phone's navigation menu
  // open, it closes the menu and goes back to its button.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !event.target.closest) return;
    var menu = document.querySelector(".navbar-collapse.show");
    if (menu && window.bootstrap) {
      event.preventDefault();
      window.bootstrap.Collapse.getOrCreateInstance(menu, {toggle: false}).hide();
      var toggler = document.querySelector("[data-bs-target='#" + menu.id + "']");
      if (toggler) toggler.focus();
      return;
    }
    var form = event.target.closest("form");
    var cancel = form && form.querySelector("[data-cancel]");
    if (cancel) {
      event.preventDefault();
      cancel.click();
    }
  });
  // The Projected/Confirmed switch is made of links (they work without JavaScript) shown as buttons: Space
  // presses them as it presses a button, rather than scrolling the page.
  document.addEventListener("keydown", function (event) {
    var link = event.target.closest && event.target.closest("a[data-mode-switch]");
    if (link && (event.key === " " || event.key === "Spacebar")) {
      event.preventDefault();
      link.click();
    }
  });
  document.addEventListener("DOMContentLoaded", function () { lastVerdict = shownVerdict(); });
  document.addEventListener("htmx:afterSettle", function (event) {
    var elt = event.detail.elt;
    // After a suggestion added from the checklist, its criterion in view as the new panel says it (the panel
    // it replaced was longer: the view landed beside it).
    var fixed = elt && elt.id === "eligibility-panel" && fromCriterion &&
      elt.querySelector("[data-criterion='" + fromCriterion + "']");
    if (fixed) {
      fixed.scrollIntoView({block: "nearest", behavior: "instant"});
      fromCriterion = null;
    }
    var lost = !document.activeElement || document.activeElement === document.body;
    // The table refreshed by that add leaves the focus to the panel, which comes with it (below).
    if (lost && fromCriterion && elt && elt.id === "participants") return;
    var verdict = shownVerdict();
    var announcer = document.getElementById("verdict-announcer");
    if (announcer && verdict && lastVerdict !== null && verdict !== lastVerdict) announcer.textContent = verdict;
    if (verdict) lastVerdict = verdict;
    if (!lost || !elt || !elt.id) return;
    var target = null;
    if (fixed) {
      // The keyboard stays on the checklist, on the criterion as it is now (read out with its counter): the
      // mode's button it went to was scrolled out of sight in the panel.
      fixed.tabIndex = -1;
      target = fixed;
    } else if (elt.id === "audit-trail") {
      // After "Show the whole history": the history, now whole (it also comes with an invitation's change,
      // whose row then takes the focus).
      var asking = event.detail.requestConfig && event.detail.requestConfig.elt; // what sent the request
      target = asking && asking.closest && asking.closest("#audit-trail") ? elt.querySelector("summary") : null;
    } else if (elt.id === "eligibility-panel") {
      target = elt.querySelector("[data-mode-switch][aria-current]");
    } else if (elt.id === "participants" || elt.id.indexOf("participation-") === 0) {
      // The row the change came from; once removed, the one now in its place.
      var row = fromRow && (document.getElementById(fromRow) || document.getElementById(fromNeighbour));
      // Back on the invitation's controls after Invite, Re-send or Revoke (what comes next is there),
      // else on the row's Change button.
      var invitationControl = row && row.id === fromRow && fromInvitation && row.querySelector(".invitation button");
      target = row ? invitationControl || row.querySelector("button[hx-get][hx-target='#" + row.id + "']") : document.getElementById("participants-title");
      // The view goes with it: the table swapped whole put a phone's view 2,700 px down in the checklist.
      if (row) row.scrollIntoView({block: "nearest", behavior: "instant"});
    }
    // Else without scrolling: the view stays where the change was made (focusing the heading took a phone
    // 4,000 px up from the checklist's suggestion just added).
    if (target) target.focus({preventScroll: true});
  });

  // What htmx puts in place is said through a live region that stays in the page (a region swapped in with
  // its content is not read): the sentence of a search's results ("12 organisations", "No organisation
  // matches…"), the confirmations of a change. The region is the one marked data-announces with the id of what
  // was replaced; what it says, the parts marked data-announced. The same sentence again (a search run again
  // after a change) is not said again.
  function announce(elt) {
    if (!elt || !elt.id) return;
    Array.prototype.forEach.call(document.querySelectorAll("[data-announces]"), function (status) {
      if (status.dataset.announces !== elt.id) return;
      var text = Array.prototype.map.call(elt.querySelectorAll("[data-announced]"), function (part) {
        return part.textContent.trim().replace(/\s+/g, " ");
      }).join(" ");
      if (status.textContent !== text) status.textContent = text;
    });
  }
  document.addEventListener("htmx:afterSettle", function (event) { announce(event.detail.elt); });
  document.addEventListener("htmx:oobAfterSwap", function (event) { announce(event.detail.target); });

  // A page sent back with errors says so at its top, focused: in view on a phone, read by screen readers.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) summary.focus();
  });

  // Never an old consortium or verdict: a page the browser restores from its back-forward cache is loaded
  // again (signed-in pages are never stored, so the server answers), and a builder tab shown again after a
  // while refreshes its eligibility panel (which listens for "eligibility-changed").
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) window.location.reload();
  });
  // Its participants too, unless one is being edited there (the form would be lost): never a table older
  // than the verdict under it.
  function refreshBuilder() {
    if (!window.htmx) return;
    var participants = document.getElementById("participants");
    if (participants && participants.dataset.refresh && !participants.querySelector(".participation-form")) {
      window.htmx.ajax("GET", participants.dataset.refresh, {target: "#participants", swap: "outerHTML"});
    }
    if (document.getElementById("eligibility-panel")) {
      window.htmx.trigger(document.body, "eligibility-changed");
    }
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") refreshBuilder();
  });

  // A change made elsewhere (a partner's answer through the invite link, a co-editor's save) shows without a
  // reload: while the builder is on screen, it asks every few seconds whether the proposal moved past the
  // version it shows, and refreshes as above if it did. Never under the user's hands: not while a participant
  // is being edited (the save would say what changed), nor until the page has been left alone that long (a
  // key, a tap or one of its own requests; the table swapped under a finger would take the focus with it).
  var changes = document.getElementById("proposal-changes");
  if (changes && window.fetch) {
    var every = 1000 * (parseFloat(changes.dataset.every) || 15);
    var lastActivity = Date.now();
    var active = function () { lastActivity = Date.now(); };
    ["keydown", "pointerdown", "input"].forEach(function (name) {
      document.addEventListener(name, active, true);
    });
    // The page's own changes count, not its polls (an ECHE badge asks every few seconds).
    document.addEventListener("htmx:afterRequest", function (event) {
      var verb = event.detail.requestConfig && event.detail.requestConfig.verb;
      if (verb && verb !== "get") active();
    });
    var polling = window.setInterval(function () {
      var version = document.getElementById("proposal-version");
      var editing = document.querySelector("#participants .participation-form");
      if (document.visibilityState !== "visible" || !version) return;
      if (Date.now() - lastActivity < every) return;
      var url = changes.dataset.url + "?version=" + encodeURIComponent(version.value);
      // Not redirected: signed out meanwhile (elsewhere, or by a password change), the answer is the
      // sign-in page, which must not be taken for a change; that ends the asking, and the next thing the
      // user does says why. A proposal no longer theirs (a co-editor removed, the proposal gone) is loaded
      // again, which says so: its consortium and contacts stayed on screen.
      window.fetch(url, {credentials: "same-origin", cache: "no-store", redirect: "manual"}).then(function (response) {
        // A row being edited stays as it is (its save says what changed); a page no longer theirs does not.
        if (response.status === 200) { if (!editing) refreshBuilder(); }
        else if (response.status === 403 || response.status === 404) window.location.reload();
        else if (response.status !== 204) window.clearInterval(polling);
      }).catch(function () { /* offline for now: the next turn asks again */ });
    }, every);
  }
  // A fragment answered by the sign-in page (the session ended meanwhile) is not put in the page: the page
  // is loaded again, which leads to the sign-in page with the way back.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var signIn = document.body.dataset.signIn;
    var answered = event.detail.xhr && event.detail.xhr.responseURL;
    if (signIn && answered && new URL(answered, window.location.href).pathname === signIn) {
      event.detail.shouldSwap = false;
      window.location.reload();
    }
  });
})();
