// Follows a mining run on the dashboard: polls the run's progress JSON until it succeeds or fails.
(function () {
  "use strict";
  var POLL_MS = 1000;
  var RELOAD_MS = 1500;
  var DONE = { succeeded: true, failed: true };

  function describe(state) {
    if (state.status === "succeeded") {
      return "succeeded (100%)";
    }
    if (state.status === "failed") {
      return "failed" + (state.error ? ": " + state.error : "");
    }
    return state.status + " (" + state.progress + "%)";
  }

  function follow(bar, label) {
    fetch(bar.dataset.progressUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (state) {
        bar.value = state.progress;
        bar.textContent = state.progress + "%";
        bar.dataset.status = state.status;
        if (label) {
          label.textContent = describe(state);
        }
        if (!DONE[state.status]) {
          window.setTimeout(function () { follow(bar, label); }, POLL_MS);
        } else if (state.status === "succeeded") {
          // The page was loaded while the run went on: show its results. A page loaded after
          // the run finished does not poll, so this cannot loop.
          window.setTimeout(function () { window.location.reload(); }, RELOAD_MS);
        }
      })
      .catch(function () {
        window.setTimeout(function () { follow(bar, label); }, POLL_MS * 5);
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var bar = document.querySelector("progress[data-run-progress]");
    if (bar && !DONE[bar.dataset.status]) {
      follow(bar, document.querySelector("[data-run-status]"));
    }
  });
})();
