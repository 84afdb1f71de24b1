// Template editors: insert variables at the cursor, repeated rows, in-app layout, preview source, counters.
(() => {
  let target = null;

  const labelOf = (field) => {
    const wrap = field.closest(".field, .cell, fieldset.rows");
    const label = wrap && (wrap.querySelector("label") || wrap.querySelector("legend"));
    return label ? label.childNodes[0].textContent.trim() : field.name;
  };

  const remember = (field) => {
    target = field;
    document.querySelectorAll("[data-finder-target]").forEach((el) => { el.textContent = labelOf(field); });
  };

  const count = (field) => {
    const counter = document.querySelector(`[data-counter-for="${field.id}"]`);
    if (!counter) return;
    const limit = Number(counter.dataset.limit);
    counter.textContent = `${field.value.length.toLocaleString()} / ${limit.toLocaleString()}`;
    counter.classList.toggle("over", field.value.length > limit);
  };

  const showMessages = () => {
    const layout = document.querySelector("select[name=Layout]");
    if (!layout) return;
    document.querySelectorAll("section[data-key^='Content.']").forEach((section) => {
      section.hidden = section.dataset.key !== "Content.0" && layout.value !== "CAROUSEL";
    });
  };

  const showSource = () => {
    const chosen = document.querySelector("input[name=preview_source]:checked");
    const box = document.querySelector(".source-endpoint");
    if (!chosen || !box) return;
    box.hidden = chosen.value !== "endpoint";
    document.querySelector(".source-sample").hidden = chosen.value === "endpoint";
  };

  const nudge = (element) => element.dispatchEvent(new Event("input", { bubbles: true }));

  document.addEventListener("focusin", (event) => {
    if (event.target.matches("[data-variables]")) remember(event.target);
  });

  document.addEventListener("click", (event) => {
    const chip = event.target.closest("[data-insert]");
    if (chip) {
      const field = target && document.body.contains(target) ? target : document.querySelector("#editor [data-variables]");
      if (!field) return;
      const text = `{{${chip.dataset.insert}}}`;
      const start = field.selectionStart ?? field.value.length;
      const end = field.selectionEnd ?? field.value.length;
      field.setRangeText(text, start, end, "end");
      field.focus();
      remember(field);
      count(field);
      nudge(field);
      return;
    }
    const add = event.target.closest("[data-add-row]");
    if (add) {
      const fieldset = add.closest("fieldset.rows");
      const body = fieldset.querySelector(".rows-body");
      if (body.querySelectorAll("[data-row]").length >= Number(fieldset.dataset.max)) return;
      const indexes = [...body.querySelectorAll("[name]")].map((el) => Number(el.name.split(".").at(-2)) || 0);
      const next = indexes.length ? Math.max(...indexes) + 1 : 0;
      const html = fieldset.querySelector("template[data-row-template]").innerHTML.replaceAll("__i__", String(next));
      body.insertAdjacentHTML("beforeend", html);
      body.lastElementChild.querySelector("input, select").focus();
      return;
    }
    const remove = event.target.closest("[data-remove-row]");
    if (remove) {
      const row = remove.closest("[data-row]");
      const form = row.closest("form");
      const body = row.parentElement;
      if (body.querySelectorAll("[data-row]").length > 1) row.remove();
      else row.querySelectorAll("input").forEach((input) => { input.value = ""; });
      if (form) nudge(form);
    }
  });

  document.addEventListener("input", (event) => {
    const el = event.target;
    if (el.matches("[data-finder-filter]")) {
      const q = el.value.trim().toLowerCase();
      el.closest(".finder").querySelectorAll(".chip").forEach((chip) => {
        chip.hidden = q !== "" && !chip.dataset.insert.toLowerCase().includes(q);
      });
      el.closest(".finder").querySelectorAll(".finder-group").forEach((group) => {
        group.hidden = ![...group.querySelectorAll(".chip")].some((chip) => !chip.hidden);
      });
      event.stopPropagation();
      return;
    }
    if (el.id) count(el);
    if (el.type === "color") { const label = el.parentElement.querySelector("span"); if (label) label.textContent = el.value.toUpperCase(); }
  });

  document.addEventListener("change", (event) => {
    if (event.target.matches("select[name=Layout]")) showMessages();
    if (event.target.matches("[data-source-toggle]")) showSource();
  });

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-counter-for]").forEach((counter) => {
      const field = document.getElementById(counter.dataset.counterFor);
      if (field) count(field);
    });
    const first = document.querySelector("#editor [data-variables]");
    if (first) remember(first);
    showMessages();
    showSource();
  });
})();
