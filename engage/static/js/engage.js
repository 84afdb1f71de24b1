// Small behaviours of the console: dialogs and confirmations. No framework needed.
document.addEventListener("click", (event) => {
  const opener = event.target.closest("[data-open-dialog]");
  if (opener) {
    const dialog = document.getElementById(opener.dataset.openDialog);
    if (dialog) { dialog.showModal(); const first = dialog.querySelector("input, select, textarea"); if (first) first.focus(); }
  }
  const closer = event.target.closest("[data-close-dialog]");
  if (closer) { closer.closest("dialog").close(); }
  const copier = event.target.closest("[data-copy]");
  if (copier) {
    const target = document.getElementById(copier.dataset.copy);
    if (target && navigator.clipboard) { navigator.clipboard.writeText(target.textContent.trim()); copier.textContent = "Copied"; }
  }
});
document.addEventListener("submit", (event) => {
  const message = event.target.dataset.confirm;
  if (message && !window.confirm(message)) { event.preventDefault(); }
});
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("dialog[data-open-on-load]").forEach((d) => d.showModal());
  document.querySelectorAll("select[data-autosubmit]").forEach((s) => s.addEventListener("change", () => s.form.requestSubmit()));
});
