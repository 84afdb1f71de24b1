// What the side panel's buttons and mode switches do to the journey body, and the review pane (errors that jump
// to their activity, recommendations to mark as reviewed, then publish).
window.JB = window.JB || {};
(() => {
  const JB = window.JB;
  const esc = JB.esc;
  const tomorrow = () => `${new Date(Date.now() + 86400000).toISOString().slice(0, 11)}09:00:00Z`;

  function defaultCondition(body, id, path) {
    const sends = JB.ancestors(body, id).filter((a) => JB.ENGAGING.includes(JB.kindOf(body.Activities[a])));
    if (sends.length) {
      const source = sends[sends.length - 1], kind = JB.kindOf(body.Activities[source]);
      const first = (JB.state.options.events[kind] || [])[0];
      return { EventCondition: { MessageActivity: source, Dimensions: { EventType: { DimensionType: "INCLUSIVE", Values: [first ? first.value : ""] } } } };
    }
    const seg = JB.state.options.segments[0];
    return { SegmentCondition: { SegmentId: seg ? seg.id : "" } };
  }
  function rebalance(branches) {
    const share = Math.floor(100 / branches.length);
    branches.forEach((b, i) => { b.Percentage = share + (i === 0 ? 100 - share * branches.length : 0); });
  }
  const member = (body, id) => { const a = body.Activities[id]; return a[JB.kindOf(a)]; };
  function renameKey(obj, from, to) {
    if (!to || to === from || obj[to]) return;
    const out = {};
    Object.keys(obj).forEach((k) => { out[k === from ? to : k] = obj[k]; });
    Object.keys(obj).forEach((k) => delete obj[k]);
    Object.assign(obj, out);
  }
  const dims = "StartCondition.EventStartCondition.EventFilter.Dimensions";

  const ACTIONS = {
    close: () => JB.closePanel(),
    "delete-activity": (b, el, real) => {
      const id = el.dataset.id;
      const trial = JB.clone(b), removed = JB.remove(trial, id);
      if (!real && removed && !window.confirm(`Delete this activity and the ${removed} activit${removed > 1 ? "ies" : "y"} on its other paths? Undo brings them back.`)) return "skip";
      JB.remove(b, id);
      return "close";
    },
    "wait-mode": (b, el) => { JB.setPath(b, `Activities.${JB.state.selected}.Wait.WaitTime`, el.value === "until" ? { WaitUntil: tomorrow() } : { WaitFor: "P1D" }); },
    "eval-mode": (b, el) => {
      const path = `${el.dataset.x}`;
      JB.setPath(b, path, el.value === "for" ? { WaitFor: "PT1H" } : el.value === "until" ? { WaitUntil: tomorrow() } : undefined);
    },
    "cond-type": (b, el) => {
      const cond = defaultCondition(b, JB.state.selected);
      const seg = JB.state.options.segments[0];
      JB.setPath(b, el.dataset.cond, el.value === "event" ? (cond.EventCondition ? cond : { EventCondition: { MessageActivity: "" } }) : { SegmentCondition: { SegmentId: seg ? seg.id : "" } });
    },
    "cond-add": (b, el) => {
      const list = JB.getPath(b, el.dataset.cond) || [];
      list.push(defaultCondition(b, JB.state.selected));
      JB.setPath(b, el.dataset.cond, list);
      const parent = el.dataset.cond.replace(/\.Conditions$/, "");
      if (!JB.getPath(b, `${parent}.Operator`)) JB.setPath(b, `${parent}.Operator`, "ALL");
    },
    "cond-remove": (b, el) => {
      const path = el.dataset.cond, m = /^(.*\.Conditions)\.(\d+)$/.exec(path);
      if (!m) { JB.setPath(b, path, undefined); return; }
      const list = JB.getPath(b, m[1]);
      list.splice(Number(m[2]), 1);
      if (!list.length) JB.setPath(b, m[1].replace(/\.Conditions$/, ""), undefined);
    },
    "branch-cond": (b, el) => { JB.setPath(b, el.dataset.cond, defaultCondition(b, JB.state.selected)); },
    "branch-add": (b) => {
      const m = member(b, JB.state.selected);
      m.Branches = m.Branches || [];
      m.Branches.push(JB.kindOf(b.Activities[JB.state.selected]) === "RandomSplit" ? { Percentage: 0 } : {});
      if (JB.kindOf(b.Activities[JB.state.selected]) === "RandomSplit") rebalance(m.Branches);
    },
    "branch-remove": (b, el) => {
      JB.removeBranch(b, JB.state.selected, Number(el.dataset.index));
      if (JB.kindOf(b.Activities[JB.state.selected]) === "RandomSplit") rebalance(member(b, JB.state.selected).Branches);
    },
    "entry-mode": (b, el) => {
      const seg = JB.state.options.segments[0];
      const description = (b.StartCondition || {}).Description;
      if (el.value === "event") {
        b.StartCondition = { EventStartCondition: { EventFilter: { FilterType: "ENDPOINT", Dimensions: {} } } };
        delete b.RefreshFrequency; delete b.RefreshOnSegmentUpdate;
      } else b.StartCondition = { SegmentStartCondition: { SegmentId: seg ? seg.id : "" } };
      if (description) b.StartCondition.Description = description;
    },
    "refresh-mode": (b, el) => { if (el.value === "hours") b.RefreshFrequency = "PT24H"; else delete b.RefreshFrequency; },
    "attr-add": (b) => {
      const attrs = JB.getPath(b, `${dims}.Attributes`) || {};
      let n = 1;
      while (attrs[`attribute${n}`]) n += 1;
      JB.setPath(b, `${dims}.Attributes.attribute${n}`, { AttributeType: "INCLUSIVE", Values: ["value"] });
    },
    "attr-rename": (b, el) => renameKey(JB.getPath(b, `${dims}.Attributes`), el.dataset.key, el.value.trim()),
    "attr-remove": (b, el) => { JB.setPath(b, `${dims}.Attributes.${el.dataset.key}`, undefined); },
    "metric-add": (b) => {
      const metrics = JB.getPath(b, `${dims}.Metrics`) || {};
      let n = 1;
      while (metrics[`metric${n}`]) n += 1;
      JB.setPath(b, `${dims}.Metrics.metric${n}`, { ComparisonOperator: "GREATER_THAN", Value: 0 });
    },
    "metric-rename": (b, el) => renameKey(JB.getPath(b, `${dims}.Metrics`), el.dataset.key, el.value.trim()),
    "metric-remove": (b, el) => { JB.setPath(b, `${dims}.Metrics.${el.dataset.key}`, undefined); },
    "response-attr": (b, el) => {
      const path = `${el.dataset.cond}.EventCondition.Dimensions.Attributes`, old = JB.getPath(b, path) || {};
      const values = (Object.values(old)[0] || {}).Values || ["ANY"];
      JB.setPath(b, path, el.value.trim() ? { [el.value.trim()]: { AttributeType: "INCLUSIVE", Values: values } } : undefined);
    },
    "response-value": (b, el) => {
      const path = `${el.dataset.cond}.EventCondition.Dimensions.Attributes`, old = JB.getPath(b, path) || {};
      const name = Object.keys(old)[0] || "status";
      JB.setPath(b, path, { [name]: { AttributeType: "INCLUSIVE", Values: el.value.split(",").map((s) => s.trim()).filter(Boolean) } });
    },
  };
  const VIEW = {
    goto: (el) => {
      const field = JB.norm(el.dataset.field), id = el.dataset.activity;
      const kind = id ? "activity" : /^(StartCondition|RefreshFrequency|RefreshOnSegmentUpdate)/.test(field) ? "entry" : "settings";
      JB.open(kind, id || null);
      JB.showError(document.querySelector(".jb-panel"), field, el.dataset.message);
    },
    mark: (el) => { JB.markReviewed(el.dataset.key, true); },
    unmark: (el) => { JB.markReviewed(el.dataset.key, false); },
  };

  JB.runAction = (name, el) => {
    if (VIEW[name]) { VIEW[name](el); return; }
    if (name === "close") { JB.closePanel(); return; }
    if (!JB.state.editable) return;
    if (["oh-scope", "range-add", "range-remove", "oh-clear", "closed-add", "closed-remove"].includes(name)) {
      if (name === "oh-scope") { JB.state.ui.scope = el.value; JB.renderPanel(); return; }
      JB.commit((b) => JB.panels.windowAction(b, JB.state.ui, name, el), { rerender: true });
      return;
    }
    if (!ACTIONS[name]) return;
    const trial = JB.clone(JB.state.body);
    if (ACTIONS[name](trial, el) === "skip") return;
    const outcome = JB.commit((b) => ACTIONS[name](b, el, true), { rerender: true });
    if (outcome === "close") JB.closePanel();
  };

  JB.reviewPane = (S) => {
    const errors = S.review.errors, recs = S.review.recommendations;
    const cap = (m) => m.charAt(0).toUpperCase() + m.slice(1);
    const issue = (i, extra) => `<li class="jb-issue"><span>${esc(cap(i.message))}</span>${extra}</li>`;
    const where = (i) => (i.activity || i.field ? `<button type="button" class="btn small" data-action="goto" data-activity="${esc(i.activity)}" data-field="${esc(i.field)}" data-message="${esc(i.message)}">Go to ${i.activity ? "activity" : "setting"}</button>` : "");
    const key = (i) => `${i.activity}|${i.field}|${i.message}`;
    const pending = recs.filter((r) => !S.reviewed.has(key(r)));
    let html = `<h3>1 · Errors <span class="badge ${errors.length ? "bad" : "ok"}">${errors.length}</span></h3>`
      + (errors.length ? `<ul class="jb-issues" data-errors>${errors.map((e) => issue(e, where(e))).join("")}</ul>` : `<p class="muted small" data-errors>No errors: the journey can run.</p>`)
      + `<h3>2 · Recommendations <span class="badge">${recs.length}</span></h3>`
      + (recs.length ? `<ul class="jb-issues">${recs.map((r) => issue(r, S.reviewed.has(key(r)) ? `<span class="badge ok">Reviewed</span><button type="button" class="btn small link" data-action="unmark" data-key="${esc(key(r))}">Undo</button>` : `${where(r)}<button type="button" class="btn small" data-action="mark" data-key="${esc(key(r))}">Mark as reviewed</button>`)).join("")}</ul>` : `<p class="muted small">Nothing to recommend.</p>`)
      + `<h3>3 · Publish</h3>`;
    const ready = !errors.length && !pending.length && !S.dirty && !S.error;
    if (S.draft) {
      const why = errors.length ? "Fix the errors first." : pending.length ? "Mark every recommendation as reviewed first." : S.dirty || S.error ? "Wait for your changes to be saved." : "Participants start entering when the journey starts.";
      html += `<p class="small muted">${why}</p><form method="post" action="${esc(S.urls.publish)}"><input type="hidden" name="csrfmiddlewaretoken" value="${esc(document.querySelector("[name=csrfmiddlewaretoken]")?.value || "")}">
        <button class="btn primary" type="submit"${ready && S.editable ? "" : " disabled"}>Publish</button></form>`;
    } else if (S.editable) {
      html += `<p class="small muted">Saving changes publishes version ${S.version + 1}: participants already in the journey finish the version they entered.</p>
        <button class="btn primary" type="button" data-tool="save-version"${S.dirty && !errors.length ? "" : " disabled"}>Save as version ${S.version + 1}</button>`;
    } else html += `<p class="small muted">This journey is ${esc(S.state.toLowerCase())}; it cannot be published again.</p>`;
    return { title: "Review", html };
  };
})();
