// The campaign wizard: show the fields of the chosen channel, content source and start; filter templates by channel.
(() => {
  const form = document.getElementById("step-form");
  if (!form) return;
  const value = (name) => { const el = form.querySelector(`input[name="${name}"]:checked`); return el ? el.value : ""; };
  const sync = () => {
    const channel = value("channel"), source = value("source"), start = value("start");
    form.querySelectorAll("[data-show-channel]").forEach((el) => { el.hidden = el.dataset.showChannel !== channel; });
    form.querySelectorAll("[data-show-source]").forEach((el) => { el.hidden = el.dataset.showSource !== source; });
    form.querySelectorAll("[data-show-start]").forEach((el) => { el.hidden = !el.dataset.showStart.split(" ").includes(start); });
    form.querySelectorAll("#id_template option[data-channel]").forEach((o) => { o.hidden = channel && o.dataset.channel !== channel; });
    form.querySelectorAll("details.treatment").forEach((d) => {
      const pick = d.querySelector("select[name$='_source']");
      const chosen = pick ? pick.value || "inline" : "inline";
      d.querySelectorAll("[data-slot-source]").forEach((el) => { el.hidden = el.dataset.slotSource !== chosen; });
    });
  };
  form.addEventListener("change", sync);
  sync();
  const endpoint = document.getElementById("preview_endpoint");
  if (endpoint) {
    endpoint.setAttribute("form", "step-form");
    endpoint.addEventListener("change", () => htmx.trigger("#preview", "change"));
  }
})();
