// Audience pages: the live event stream (pause, keep the page small) and the typed confirmation of an erasure.
(() => {
  const MAX_ROWS = 500;

  document.addEventListener("click", (event) => {
    const toggle = event.target.closest("[data-live-toggle]");
    if (!toggle) return;
    const root = toggle.closest("[data-live-root]");
    const paused = root.dataset.paused !== "true";
    root.dataset.paused = String(paused);
    toggle.textContent = paused ? "Resume" : "Pause";
    toggle.setAttribute("aria-pressed", String(paused));
    root.querySelector(".live-state .label").textContent = paused ? "Paused" : "Live";
  });

  // A paused stream keeps its poller but cancels each request, so resuming picks up everything missed.
  document.addEventListener("htmx:beforeRequest", (event) => {
    const source = event.detail.elt;
    const root = source && source.closest && source.closest("[data-live-root]");
    if (source.matches("[data-live]") && root && root.dataset.paused === "true") event.preventDefault();
  });

  document.addEventListener("htmx:afterSwap", (event) => {
    const rows = event.detail.target;
    if (!rows || rows.id !== "event-rows") return;
    const events = rows.querySelectorAll(":scope > details.event");
    for (let i = MAX_ROWS; i < events.length; i += 1) events[i].remove();
  });

  const syncConfirm = (input) => {
    const button = input.form && input.form.querySelector("button[type=submit]");
    if (button) button.disabled = input.value.trim() !== input.dataset.mustEqual;
  };
  document.addEventListener("input", (event) => {
    if (event.target.matches("input[data-must-equal]")) syncConfirm(event.target);
  });
  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("input[data-must-equal]").forEach(syncConfirm);
  });
})();
