// The journey builder: the state (the WriteJourneyRequest body), undo/redo, saving through the server (every change
// of a draft is saved; an active journey's changes are saved as a new version on request), the insert menu, the
// side panel, the review pane, keyboard shortcuts and the live counts HTMX refreshes.
(() => {
  const JB = window.JB;
  const root = document.getElementById("journey-builder");
  if (!root) return;
  const data = JSON.parse(document.getElementById("journey-builder-data").textContent);
  const S = JB.state = { ...data, selected: null, panel: null, zoom: 1, undo: [], redo: [], base: null, saving: false,
    again: false, dirty: false, error: null, reviewed: new Set(data.reviewed || []), ui: {} };
  const canvas = root.querySelector(".jb-canvas"), stage = root.querySelector(".jb-stage");
  const panel = root.querySelector(".jb-panel"), menu = root.querySelector(".jb-menu");
  const status = root.querySelector("[data-status]");
  const csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
  let timer = null;

  const norm = (field) => (field || "").replace(/\[(\d+)\]/g, ".$1");
  const tidy = (message, field) => {
    const raw = field && message.toLowerCase().startsWith(field.toLowerCase()) ? message.slice(field.length).replace(/^[:\s]+/, "") : message;
    return raw.charAt(0).toUpperCase() + raw.slice(1);
  };

  function issuesByNode() {
    const out = {};
    S.review.errors.forEach((e) => {
      const f = norm(e.field);
      const id = e.activity || (/^(StartCondition|RefreshFrequency|RefreshOnSegmentUpdate)/.test(f) ? JB.ENTRY : "");
      if (id) out[id] = (out[id] || 0) + 1;
    });
    return out;
  }
  function draw() {
    const live = ["ACTIVE", "PAUSED", "CLOSED", "COMPLETED", "CANCELLED"].includes(S.state) && S.version > 0;
    JB.render(stage, { body: S.body, options: S.options, counts: S.counts || {}, issues: issuesByNode(), selected: S.selected, editable: S.editable, live });
    const start = S.body.StartCondition || {};
    document.querySelectorAll("[data-entry-fact]").forEach((el) => { el.textContent = start.EventStartCondition ? "event" : start.SegmentStartCondition ? "segment" : "not set"; });
    root.querySelectorAll("[data-tool=save-version]").forEach((el) => { el.disabled = !S.dirty; });
    JB.zoomTo(canvas, stage, S.zoom);
    root.querySelector("[data-zoom-level]").textContent = `${Math.round(S.zoom * 100)}%`;
    root.querySelector("[data-tool=undo]").disabled = !S.undo.length;
    root.querySelector("[data-tool=redo]").disabled = !S.redo.length;
    const count = S.review.errors.length;
    root.querySelector("[data-review-count]").textContent = count ? `${count} error${count > 1 ? "s" : ""}` : "no errors";
    root.querySelector("[data-review-count]").className = `badge ${count ? "bad" : "ok"}`;
  }
  function say(text, kind = "") { status.textContent = text; status.className = `jb-status ${kind}`; }

  function panelContent() {
    if (S.panel === "review") return JB.reviewPane(S);
    if (S.panel === "settings") return JB.panels.settings(S.body, S.options, S.ui);
    if (S.panel === "entry") return JB.panels.entry(S.body, S.options);
    if (S.panel === "activity" && S.body.Activities && S.body.Activities[S.selected]) return JB.panels.activity(S.body, S.selected, S.options, S.editable);
    return null;
  }
  function renderPanel() {
    const content = panelContent();
    if (!content) { closePanel(); return; }
    panel.hidden = false;
    panel.dataset.panel = S.panel;
    const locked = !S.editable && S.panel !== "review";
    panel.innerHTML = `<div class="jb-panel-head"><h2>${JB.esc(content.title)}</h2><button type="button" class="btn small link" data-action="close" aria-label="Close panel">✕</button></div>
      <div class="jb-panel-body">${locked ? '<p class="muted small">Read only.</p><fieldset disabled class="jb-locked">' : ""}${content.html}${locked ? "</fieldset>" : ""}</div>`;
    if (S.error && S.panel !== "review") JB.showError(panel, norm(S.error.field), tidy(S.error.message, norm(S.error.field)));
  }
  function open(kind, id = null) {
    S.panel = kind;
    S.selected = kind === "activity" ? id : kind === "entry" ? JB.ENTRY : null;
    renderPanel();
    draw();
    const node = stage.querySelector(`[data-node="${CSS.escape(S.selected || "")}"]`);
    if (node) node.scrollIntoView({ block: "nearest", inline: "center" });
  }
  function closePanel() { S.panel = null; S.selected = null; panel.hidden = true; panel.innerHTML = ""; draw(); }

  function snapshot() { return JSON.stringify(S.body); }
  function changed({ rerender = false } = {}) {
    S.dirty = true;
    draw();
    if (rerender) renderPanel();
    if (S.draft) { clearTimeout(timer); timer = setTimeout(save, 350); say("Saving…"); }
    else say(`Unsaved changes: save them as version ${S.version + 1}`, "warn");
  }
  // A change: remember the body before it for undo, apply it, redraw and save.
  function commit(mutate, opts = {}) {
    const before = S.base || snapshot();
    S.base = null;
    const result = mutate(S.body);
    S.undo.push(before);
    if (S.undo.length > 100) S.undo.shift();
    S.redo = [];
    changed(opts);
    return result;
  }
  function travel(from, to) {
    if (!from.length || !S.editable) return;
    to.push(snapshot());
    S.body = JSON.parse(from.pop());
    S.base = null;
    if (S.panel === "activity" && !(S.body.Activities || {})[S.selected]) closePanel();
    changed({ rerender: !!S.panel });
    say(`${from === S.undo ? "Undone" : "Redone"}; saving…`);
  }

  async function save() {
    if (S.saving) { S.again = true; return; }
    S.saving = true;
    say(S.draft ? "Saving…" : "Saving the new version…");
    try {
      const response = await fetch(S.urls.save, { method: "POST", headers: { "Content-Type": "application/json", "X-CSRFToken": csrf }, body: snapshot() });
      const reply = await response.json();
      if (!response.ok) throw Object.assign(new Error("refused"), { reply: reply.error || { message: "The server refused the change.", field: "" } });
      S.error = null;
      S.review = reply.review;
      S.reviewed = new Set(reply.reviewed || []);
      S.dirty = false;
      if (reply.version !== S.version) { S.version = reply.version; document.querySelectorAll("[data-version]").forEach((el) => { el.textContent = `v${reply.version}`; }); }
      say(S.draft ? "All changes saved" : `Saved as version ${S.version}`, "ok");
      if (S.panel) {
        if (S.panel === "review") renderPanel();
        else { JB.clearErrors(panel); }
      }
    } catch (err) {
      S.error = err.reply || { message: "Could not reach the server; your changes are kept here. Try again.", field: "" };
      say(`Not saved: ${tidy(S.error.message, norm(S.error.field))}`, "bad");
      showServerError();
    } finally {
      S.saving = false;
      draw();
      if (S.again) { S.again = false; save(); }
    }
  }
  // Open the panel the refused field belongs to (unless it is open) and put the message on that field.
  function showServerError() {
    const field = norm(S.error.field);
    const m = /^Activities\.([A-Za-z0-9]+)/.exec(field);
    let kind = "settings", id = null;
    if (m && (S.body.Activities || {})[m[1]]) { kind = "activity"; id = m[1]; }
    else if (/^(StartCondition|RefreshFrequency|RefreshOnSegmentUpdate)/.test(field)) kind = "entry";
    if (S.panel !== kind || (kind === "activity" && S.selected !== id)) { open(kind, id); return; }
    JB.clearErrors(panel);
    JB.showError(panel, field, tidy(S.error.message, field));
  }

  function bind(el) {
    const path = el.dataset.bind;
    let value = el.dataset.hours !== undefined ? (el.value ? `PT${el.value}H` : "") : JB.read(el, JB.zoneOf(S.body, S.options));
    if (/\.Values\.0$/.test(path)) {
      const parent = path.replace(/\.Values\.0$/, "");
      JB.setPath(S.body, parent, value ? { ...(JB.getPath(S.body, parent) || {}), DimensionType: "INCLUSIVE", Values: [value] } : undefined);
      return;
    }
    if (/\.TemplateName$/.test(path)) JB.setPath(S.body, path.replace(/Name$/, "Version"), undefined);
    if (path === "Schedule.Timezone" && !value) value = undefined;
    JB.setPath(S.body, path, value);
    if (S.panel === "settings" && /^(OpenHours|ClosedDays)\./.test(path)) JB.panels.spread(S.body, S.ui);
  }
  panel.addEventListener("input", (e) => {
    const el = e.target.closest("[data-bind]");
    if (!el || el.type === "checkbox" || el.tagName === "SELECT" || !S.editable) return;
    if (!S.base) S.base = snapshot();
    bind(el);
    S.dirty = true;
    draw();
    if (S.draft) { clearTimeout(timer); timer = setTimeout(save, 600); say("Saving…"); }
  });
  panel.addEventListener("change", (e) => {
    if (!S.editable) return;
    const el = e.target;
    if (el.matches("[data-bind]")) { commit(() => bind(el), { rerender: el.hasAttribute("data-rerender") }); return; }
    if (el.matches("[data-action-input]")) { JB.runAction(el.dataset.actionInput, el); return; }
    if (el.matches("[data-action]")) JB.runAction(el.dataset.action, el);
  });
  panel.addEventListener("click", (e) => {
    const el = e.target.closest("button[data-action]");
    if (el) JB.runAction(el.dataset.action, el);
  });

  document.addEventListener("click", (e) => {
    const tool = e.target.closest("[data-tool]");
    if (tool) JB.tool(tool.dataset.tool);
  });
  root.addEventListener("click", (e) => {
    if (e.target.closest("[data-tool]")) return;
    const plus = e.target.closest(".jb-plus");
    if (plus) { showMenu(plus); return; }
    const item = e.target.closest("[data-insert]");
    if (item) { insertAt(item.dataset.insert); return; }
    if (!e.target.closest(".jb-menu")) menu.hidden = true;
    const link = e.target.closest("[data-node-link]");
    if (link) { open("activity", link.dataset.nodeLink); return; }
    const node = e.target.closest("[data-node]");
    if (node) open(node.dataset.node === JB.ENTRY ? "entry" : "activity", node.dataset.node);
  });
  stage.addEventListener("keydown", (e) => {
    const node = e.target.closest("[data-node]");
    if (node && (e.key === "Enter" || e.key === " ")) { e.preventDefault(); node.click(); }
  });

  function showMenu(plus) {
    S.insertAt = { from: plus.dataset.from, key: plus.dataset.key };
    const box = root.querySelector(".jb-body").getBoundingClientRect(), r = plus.getBoundingClientRect();
    menu.style.left = `${Math.min(r.left - box.left, box.width - 260)}px`;
    menu.style.top = `${r.bottom - box.top + 6}px`;
    menu.hidden = false;
    menu.querySelector("button").focus();
  }
  function insertAt(kind) {
    menu.hidden = true;
    const at = S.insertAt;
    if (kind === "END") {
      const trial = JB.clone(S.body), { removed } = JB.insert(trial, at, "END");
      if (!JB.getSlot(S.body, at.from, at.key)) { say("This path already ends here.", "ok"); return; }
      if (removed && !window.confirm(`End the path here? The ${removed} activit${removed > 1 ? "ies" : "y"} after this point will be removed (Undo brings them back).`)) return;
    }
    const { id } = commit((b) => JB.insert(b, at, kind));
    if (id) open("activity", id);
  }

  JB.tool = (name) => {
    const zooms = { "zoom-in": 0.1, "zoom-out": -0.1 };
    if (name in zooms) { S.zoom = Math.min(1.5, Math.max(0.4, Math.round((S.zoom + zooms[name]) * 10) / 10)); draw(); }
    else if (name === "center") { S.zoom = 1; draw(); JB.center(canvas, stage, S.zoom); }
    else if (name === "undo") travel(S.undo, S.redo);
    else if (name === "redo") travel(S.redo, S.undo);
    else if (name === "save-version") save();
    else open(name);
  };
  document.addEventListener("keydown", (e) => {
    const typing = e.target.closest("input, textarea, select, [contenteditable]");
    if (e.key === "Escape") { if (!menu.hidden) menu.hidden = true; else if (S.panel && !typing) closePanel(); return; }
    if (typing) return;
    const mod = e.ctrlKey || e.metaKey;
    if (mod && e.key.toLowerCase() === "z") { e.preventDefault(); travel(e.shiftKey ? S.redo : S.undo, e.shiftKey ? S.undo : S.redo); }
    else if (mod && e.key.toLowerCase() === "y") { e.preventDefault(); travel(S.redo, S.undo); }
    else if (!mod && (e.key === "+" || e.key === "=")) JB.tool("zoom-in");
    else if (!mod && e.key === "-") JB.tool("zoom-out");
    else if ((e.key === "Delete" || e.key === "Backspace") && S.editable && S.panel === "activity" && S.selected) {
      e.preventDefault();
      JB.runAction("delete-activity", { dataset: { id: S.selected } });
    }
  });
  document.body.addEventListener("htmx:afterSettle", () => {
    const fresh = document.getElementById("jb-counts-data");
    if (fresh) { S.counts = JSON.parse(fresh.textContent); draw(); }
  });
  window.addEventListener("beforeunload", (e) => { if (S.dirty && !S.draft) e.preventDefault(); });

  // Keep a recommendation's review mark on the server (it holds until the part of the journey it is about changes).
  async function markReviewed(key, reviewed = true) {
    try {
      const response = await fetch(S.urls.reviewed, { method: "POST", headers: { "Content-Type": "application/json", "X-CSRFToken": csrf }, body: JSON.stringify({ key, reviewed }) });
      const reply = await response.json();
      if (!response.ok) throw Object.assign(new Error("refused"), { reply: reply.error });
      S.reviewed = new Set(reply.reviewed || []);
      say(reviewed ? "Marked as reviewed" : "Review mark removed", "ok");
    } catch (err) {
      say(`Not marked: ${(err.reply && err.reply.message) || "could not reach the server; try again."}`, "bad");
    }
    if (S.panel === "review") renderPanel();
  }

  Object.assign(JB, { commit, open, closePanel, renderPanel, draw, say, norm, tidy, markReviewed });
  draw();
  JB.center(canvas, stage, S.zoom);
  say(S.editable ? (S.draft ? "Changes save as you go" : `Editing saves a new version (now v${S.version})`) : "Read only");
  if (new URLSearchParams(window.location.search).get("review")) open("review");
})();
