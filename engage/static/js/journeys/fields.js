// Form pieces for the builder's side panel: fields bound to a path of the journey body (data-bind), read back
// into JSON by type, time-zone aware date-times, and errors placed on the field whose path the server names.
window.JB = window.JB || {};
(() => {
  const JB = window.JB;
  const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  let serial = 0;
  const uid = () => `jbf${(serial += 1)}`;

  function offsetMinutes(zone, date) {
    try {
      const parts = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit",
        day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" }).formatToParts(date);
      const g = (t) => Number(parts.find((p) => p.type === t).value);
      return (Date.UTC(g("year"), g("month") - 1, g("day"), g("hour"), g("minute"), g("second")) - date.getTime()) / 60000;
    } catch (e) { return 0; }
  }
  // "2026-05-01T09:00" in `zone` → "2026-05-01T07:00:00Z"; and back for the input.
  function localToIso(value, zone) {
    if (!value) return "";
    let utc = Date.parse(`${value}:00Z`);
    if (Number.isNaN(utc)) return value;
    utc -= offsetMinutes(zone, new Date(utc)) * 60000;
    return new Date(utc).toISOString().replace(".000Z", "Z");
  }
  function isoToLocal(iso, zone) {
    const d = new Date(iso || "");
    if (!iso || Number.isNaN(d.getTime())) return "";
    return new Date(d.getTime() + offsetMinutes(zone, d) * 60000).toISOString().slice(0, 16);
  }
  function durationParts(iso, units) {
    const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(iso || "");
    if (!m) return { n: "", u: units[0] };
    const [d, h, mi] = [Number(m[1] || 0), Number(m[2] || 0), Number(m[3] || 0)];
    if (units.includes("D") && d && !h && !mi) return { n: d, u: "D" };
    if (units.includes("M") && !d && !h && mi) return { n: mi, u: "M" };
    return { n: d * 24 + h, u: "H" };
  }
  const durationIso = (n, u) => (n === "" || n == null ? "" : u === "D" ? `P${n}D` : u === "M" ? `PT${n}M` : `PT${n}H`);

  function wrap(path, label, control, id, help) {
    return `<div class="field" data-path="${esc(path)}"><label for="${id}">${esc(label)}</label>${control}
      <div class="notes">${help ? `<div class="help">${help}</div>` : ""}</div></div>`;
  }
  const F = {
    text(body, path, label, o = {}) {
      const id = uid(), v = JB.getPath(body, path) ?? "";
      const attrs = `id="${id}" data-bind="${esc(path)}" data-type="${o.type || "str"}"${o.placeholder ? ` placeholder="${esc(o.placeholder)}"` : ""}${o.max ? ` maxlength="${o.max}"` : ""}`;
      const control = o.area ? `<textarea ${attrs} rows="${o.rows || 4}">${esc(v)}</textarea>`
        : `<input type="${o.input || "text"}" ${attrs} value="${esc(Array.isArray(v) ? v.join(", ") : v)}"${o.min != null ? ` min="${o.min}"` : ""}${o.maxn != null ? ` max="${o.maxn}"` : ""}>`;
      return wrap(path, label, control, id, o.help);
    },
    number(body, path, label, o = {}) { return F.text(body, path, label, { ...o, input: "number", type: "int" }); },
    select(body, path, label, choices, o = {}) {
      const id = uid(), v = o.value !== undefined ? o.value : (JB.getPath(body, path) ?? "");
      const opts = choices.map(([val, text]) => `<option value="${esc(val)}"${String(val) === String(v) ? " selected" : ""}>${esc(text)}</option>`).join("");
      return wrap(path, label, `<select id="${id}" data-bind="${esc(path)}" data-type="${o.type || "str"}"${o.rerender ? " data-rerender" : ""}>${opts}</select>`, id, o.help);
    },
    check(body, path, label, o = {}) {
      const id = uid(), v = JB.getPath(body, path);
      return `<div class="field check" data-path="${esc(path)}"><label for="${id}"><input type="checkbox" id="${id}" data-bind="${esc(path)}" data-type="bool"${v ? " checked" : ""}${o.rerender ? " data-rerender" : ""}> ${esc(label)}</label>
        <div class="notes">${o.help ? `<div class="help">${o.help}</div>` : ""}</div></div>`;
    },
    checks(body, path, label, choices) {
      const v = JB.getPath(body, path) || [];
      const boxes = choices.map(([val, text]) => `<label class="jb-check"><input type="checkbox" data-bind="${esc(path)}" data-type="checks" value="${esc(val)}"${v.includes(val) ? " checked" : ""}> ${esc(text)}</label>`).join("");
      return `<fieldset class="field" data-path="${esc(path)}"><legend>${esc(label)}</legend><div class="jb-checks">${boxes}</div><div class="notes"></div></fieldset>`;
    },
    datetime(body, path, label, zone, o = {}) {
      const id = uid();
      return wrap(path, label, `<input type="datetime-local" id="${id}" data-bind="${esc(path)}" data-type="dt" value="${esc(isoToLocal(JB.getPath(body, path), zone))}">`, id, o.help || `In ${esc(zone)}.`);
    },
    duration(body, path, label, units, o = {}) {
      const id = uid(), p = durationParts(JB.getPath(body, path), units);
      const names = { M: "minutes", H: "hours", D: "days" };
      const sel = units.map((u) => `<option value="${u}"${p.u === u ? " selected" : ""}>${names[u]}</option>`).join("");
      return wrap(path, label, `<div class="jb-inline"><input type="number" min="0" id="${id}" data-bind="${esc(path)}" data-type="dur" value="${esc(p.n)}">
        <select data-bind="${esc(path)}" data-type="dur" aria-label="${esc(label)} unit">${sel}</select></div>`, id, o.help);
    },
    time(body, path, label) {
      const id = uid();
      return wrap(path, label, `<input type="time" id="${id}" data-bind="${esc(path)}" value="${esc(JB.getPath(body, path) || "")}">`, id);
    },
  };

  // The JSON value of a bound control, read by its type.
  function read(el, zone) {
    const type = el.dataset.type || "str";
    if (type === "bool") return el.checked;
    if (type === "int") return el.value === "" ? "" : Number(el.value);
    if (type === "list") return el.value.split(",").map((s) => s.trim()).filter(Boolean);
    if (type === "dt") return localToIso(el.value, zone);
    if (type === "checks") {
      return [...el.closest("fieldset").querySelectorAll("input:checked")].map((c) => c.value);
    }
    if (type === "dur") {
      const box = el.closest(".jb-inline");
      return durationIso(box.querySelector("input").value, box.querySelector("select").value);
    }
    return el.value.trim() === "" ? "" : el.value;
  }

  function clearErrors(root) {
    root.querySelectorAll(".has-error").forEach((f) => f.classList.remove("has-error"));
    root.querySelectorAll(".errorlist, .jb-form-error").forEach((e) => e.remove());
  }
  // Put a message on the field whose path is the longest prefix of `field` (else at the top of the panel).
  function showError(root, field, message) {
    let best = null;
    root.querySelectorAll("[data-path]").forEach((f) => {
      const p = f.dataset.path;
      if ((field === p || field.startsWith(`${p}.`)) && (!best || p.length > best.dataset.path.length)) best = f;
    });
    const list = `<ul class="errorlist"><li>${esc(message)}</li></ul>`;
    if (best) {
      best.classList.add("has-error");
      best.querySelector(".notes").insertAdjacentHTML("beforeend", list);
      const control = best.querySelector("input, select, textarea");
      if (control) control.focus({ preventScroll: false });
    } else {
      const head = root.querySelector(".jb-panel-body") || root;
      head.insertAdjacentHTML("afterbegin", `<div class="form-errors jb-form-error" role="alert">${esc(message)}${field ? ` <span class="small">(${esc(field)})</span>` : ""}</div>`);
    }
  }

  Object.assign(JB, { F, read, showError, clearErrors, localToIso, isoToLocal, durationIso, uid });
})();
