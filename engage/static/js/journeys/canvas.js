// The journey builder's canvas: activities as cards, paths as SVG curves with their labels, a "+" at every
// insertion point, validation badges and live counts; zoom and center.
window.JB = window.JB || {};
(() => {
  const JB = window.JB;
  const ICONS = { EMAIL: "@", SMS: "Aa", PUSH: "!", CUSTOM: "{ }", INAPP: "▣", Wait: "◷", ConditionalSplit: "?", MultiCondition: "M",
    RandomSplit: "%", Holdout: "⊘", ContactCenter: "☎", ENTRY: "⇣" };
  const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const n = (v) => Number(v || 0).toLocaleString();
  const drawn = new WeakMap();

  function durationText(iso) {
    const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(iso || "");
    if (!m) return iso || "";
    const parts = [[m[1], "day"], [m[2], "hour"], [m[3], "minute"], [m[4], "second"]].filter(([v]) => v && v !== "0");
    return parts.map(([v, u]) => `${v} ${u}${v === "1" ? "" : "s"}`).join(" ") || "0 seconds";
  }

  function summary(id, body, options) {
    if (id === JB.ENTRY) {
      const start = body.StartCondition || {};
      if (start.EventStartCondition) {
        const types = JB.getPath(start, "EventStartCondition.EventFilter.Dimensions.EventType.Values") || [];
        return types.length ? `When event ${types.join(", ")} happens` : "Event: choose the event type";
      }
      const seg = JB.getPath(start, "SegmentStartCondition.SegmentId");
      if (!seg) return "Choose a segment or an event";
      const found = options.segments.find((s) => s.id === seg);
      return `Segment: ${found ? found.name : seg}`;
    }
    const a = body.Activities[id], kind = JB.kindOf(a), b = a[kind] || {};
    if (JB.SENDS.includes(kind)) return b.TemplateName ? `Template: ${b.TemplateName}` : (kind === "CUSTOM" && b.DeliveryUri ? b.DeliveryUri : "Choose a template");
    if (kind === "Wait") {
      const w = b.WaitTime || {};
      return w.WaitUntil ? `Until ${w.WaitUntil.replace("T", " ").slice(0, 16)}` : w.WaitFor ? `For ${durationText(w.WaitFor)}` : "Set the wait";
    }
    if (kind === "ConditionalSplit") {
      const c = JB.getPath(b, "Condition.Conditions") || [];
      return c.length ? `${c.length} condition${c.length > 1 ? "s" : ""}` : "Set the condition";
    }
    if (kind === "MultiCondition") return `${(b.Branches || []).length} branches + Else`;
    if (kind === "RandomSplit") return (b.Branches || []).map((x) => `${x.Percentage ?? 0}%`).join(" / ");
    if (kind === "Holdout") return `Hold out ${b.Percentage || 0}%`;
    return a.Description || "";
  }

  function countsLine(id, kind, counts, live) {
    const c = (id === JB.ENTRY ? counts[""] : counts[id]) || (live ? {} : null);
    if (!c) return "";
    const bits = [`<span title="Entered">In ${n(c.entered)}</span>`];
    if (id === JB.ENTRY) {
      const inside = Object.values(counts).reduce((s, x) => s + (x.in_progress || 0), 0);
      bits.push(`<span title="In the journey now">Now ${n(inside)}</span>`);
    } else bits.push(`<span title="In progress here">Waiting ${n(c.in_progress)}</span>`);
    if (JB.SENDS.includes(kind)) bits.push(`<span title="Messages sent">Sent ${n(c.sent)}</span>`);
    return `<div class="jb-counts" data-counts="${esc(id)}">${bits.join("")}</div>`;
  }

  function nodeHtml(node, ctx) {
    const { body, options, counts, issues, selected } = ctx;
    const isEntry = node.id === JB.ENTRY;
    const kind = isEntry ? "ENTRY" : JB.kindOf(body.Activities[node.id]);
    const title = isEntry ? "Journey entry" : (JB.TITLES[kind] || "Unknown activity");
    const errs = issues[node.id] || 0;
    const desc = isEntry ? "" : body.Activities[node.id].Description;
    return `<div class="jb-node kind-${kind}${selected === node.id ? " selected" : ""}${errs ? " has-error" : ""}${ctx.detached.has(node.id) ? " detached" : ""}"
      style="left:${node.x - JB.W / 2}px;top:${node.y}px" data-node="${esc(node.id)}" role="button" tabindex="0"
      aria-label="${esc(title)}${isEntry ? "" : ` ${esc(node.id)}`}">
      <div class="jb-node-head"><span class="jb-icon" aria-hidden="true">${ICONS[kind] || "·"}</span>
        <span class="jb-title">${esc(desc || title)}</span>
        ${errs ? `<span class="jb-badge" title="${errs} error${errs > 1 ? "s" : ""} to fix" data-badge>${errs}</span>` : ""}</div>
      <div class="jb-sub">${esc(summary(node.id, body, options))}</div>
      ${isEntry ? "" : `<div class="jb-id muted">${esc(desc ? title : node.id)}</div>`}
      ${countsLine(node.id, kind, counts, ctx.live)}</div>`;
  }

  function edgePath(e) {
    const mid = e.y1 + (e.y2 - e.y1) * 0.22;
    return `M${e.x1},${e.y1} C${e.x1},${mid + 30} ${e.x2},${mid - 30} ${e.x2},${mid + 12} L${e.x2},${e.y2}`;
  }

  function branchCount(e, ctx) {
    const c = ctx.counts[e.from];
    if (!c || e.from === JB.ENTRY || !e.label) return "";
    const v = c[`branch:${e.target}`];
    return v == null ? "" : ` · ${n(v)}`;
  }

  function render(stage, ctx) {
    const lay = JB.layout(ctx.body);
    ctx.detached = new Set(lay.detached || []);
    const plus = (from, key, x, y, label) => (ctx.editable
      ? `<button type="button" class="jb-plus" style="left:${x - 13}px;top:${y - 13}px" data-from="${esc(from)}" data-key="${esc(key)}" aria-label="Add an activity ${esc(label)}" title="Add an activity">+</button>` : "");
    const svg = lay.edges.map((e) => `<path d="${edgePath(e)}"/>`).join("");
    const labels = lay.edges.filter((e) => e.label).map((e) => `<span class="jb-label" style="left:${e.x2}px;top:${e.y2 - 64}px" data-branch="${esc(e.from)}:${esc(e.key)}">${esc(e.label)}${branchCount(e, ctx)}</span>`).join("");
    const pluses = lay.edges.map((e) => plus(e.from, e.key, e.x2, e.y2 - 20, e.target ? "here" : "at the end of this path")).join("");
    const holdouts = lay.nodes.filter((nd) => nd.id !== JB.ENTRY && JB.kindOf(ctx.body.Activities[nd.id]) === "Holdout").map((nd) => {
      const c = ctx.counts[nd.id] || {};
      return `<span class="jb-holdout" style="left:${nd.x + JB.W / 2 + 8}px;top:${nd.y + 30}px">Held out · exit${c["branch:holdout"] != null ? ` · ${n(c["branch:holdout"])}` : ""}</span>`;
    }).join("");
    const leaves = lay.leaves.map((l) => (l.kind === "end"
      ? `<span class="jb-end" style="left:${l.x}px;top:${l.y}px">End</span>`
      : `<button type="button" class="jb-join" style="left:${l.x}px;top:${l.y}px" data-node-link="${esc(l.target)}">Joins ${esc(l.target)}</button>`)).join("");
    stage.style.width = `${lay.width}px`;
    stage.style.height = `${lay.height}px`;
    const html = `<svg class="jb-edges" width="${lay.width}" height="${lay.height}" aria-hidden="true">${svg}</svg>
      ${lay.nodes.map((nd) => nodeHtml(nd, ctx)).join("")}${labels}${holdouts}${leaves}${pluses}`;
    // Unchanged drawings are not replaced: a click must not lose its target to a redraw between press and release.
    if (drawn.get(stage) !== html) { stage.innerHTML = html; drawn.set(stage, html); }
    return lay;
  }

  function zoomTo(canvas, stage, zoom) {
    stage.style.transform = `scale(${zoom})`;
    const sizer = canvas.querySelector(".jb-sizer");
    sizer.style.width = `${stage.offsetWidth * zoom}px`;
    sizer.style.height = `${stage.offsetHeight * zoom}px`;
  }

  function center(canvas, stage, zoom) {
    const entry = stage.querySelector(`[data-node="${JB.ENTRY}"]`);
    const x = entry ? (entry.offsetLeft + entry.offsetWidth / 2) * zoom : 0;
    canvas.scrollTo({ left: Math.max(0, x - canvas.clientWidth / 2), top: 0 });
  }

  Object.assign(JB, { render, zoomTo, center, durationText, esc });
})();
