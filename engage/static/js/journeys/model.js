// The journey builder's model: pure functions over a WriteJourneyRequest body (activities, the paths between them,
// inserting and deleting activities, and the top-to-bottom layout the canvas draws).
window.JB = window.JB || {};
(() => {
  const ENTRY = "__entry__";
  const KINDS = ["EMAIL", "SMS", "PUSH", "CUSTOM", "INAPP", "Wait", "ConditionalSplit", "MultiCondition", "RandomSplit", "Holdout", "ContactCenter"];
  const SENDS = ["EMAIL", "SMS", "PUSH", "CUSTOM", "INAPP"];
  // The sends a split can test engagement with (an in-app message has no engagement a split may wait for).
  const ENGAGING = ["EMAIL", "SMS", "PUSH", "CUSTOM"];
  const TITLES = {
    EMAIL: "Send email", SMS: "Send SMS", PUSH: "Send push", CUSTOM: "Send through custom channel",
    INAPP: "Show in-app message", Wait: "Wait",
    ConditionalSplit: "Yes/no split", MultiCondition: "Multivariate split", RandomSplit: "Random split",
    Holdout: "Holdout", ContactCenter: "Contact center", END: "End",
  };
  const PREFIX = { EMAIL: "email", SMS: "sms", PUSH: "push", CUSTOM: "custom", INAPP: "inapp", Wait: "wait", ConditionalSplit: "yesno",
    MultiCondition: "multi", RandomSplit: "random", Holdout: "holdout" };
  const W = 232, H = 88, LEAF = 150, GAP = 28, ROW = H + 100;

  const clone = (x) => JSON.parse(JSON.stringify(x));
  const kindOf = (a) => { const found = KINDS.filter((k) => a && a[k] != null); return found.length === 1 ? found[0] : ""; };
  const acts = (body) => body.Activities || {};

  function getPath(obj, path) {
    return path.split(".").reduce((o, k) => (o == null ? undefined : o[/^\d+$/.test(k) ? Number(k) : k]), obj);
  }
  function setPath(obj, path, value) {
    const keys = path.split(".");
    let o = obj;
    keys.slice(0, -1).forEach((k, i) => {
      const key = /^\d+$/.test(k) ? Number(k) : k;
      if (o[key] == null || typeof o[key] !== "object") o[key] = /^\d+$/.test(keys[i + 1]) ? [] : {};
      o = o[key];
    });
    const last = /^\d+$/.test(keys[keys.length - 1]) ? Number(keys[keys.length - 1]) : keys[keys.length - 1];
    const empty = value === undefined || value === null || value === "" || (Array.isArray(value) && !value.length);
    if (empty && !Array.isArray(o)) delete o[last]; else o[last] = value;
  }

  // The outgoing paths of an activity: where each one is stored and how the canvas labels it.
  function slots(id, body) {
    if (id === ENTRY) return [{ key: "StartActivity", label: "" }];
    const a = acts(body)[id], kind = kindOf(a), b = (a && a[kind]) || {};
    if (kind === "ConditionalSplit") return [{ key: "TrueActivity", label: "Yes" }, { key: "FalseActivity", label: "No" }];
    if (kind === "MultiCondition") {
      return [...(b.Branches || []).map((_, i) => ({ key: `Branches.${i}.NextActivity`, label: `Branch ${i + 1}` })),
        { key: "DefaultActivity", label: "Else" }];
    }
    if (kind === "RandomSplit") {
      return (b.Branches || []).map((br, i) => ({ key: `Branches.${i}.NextActivity`, label: `Branch ${i + 1} · ${br.Percentage ?? 0}%` }));
    }
    if (kind === "Holdout") return [{ key: "NextActivity", label: `Continue · ${100 - (b.Percentage || 0)}%` }];
    return [{ key: "NextActivity", label: "" }];
  }
  function getSlot(body, from, key) {
    if (from === ENTRY) return body.StartActivity;
    const a = acts(body)[from];
    return a ? getPath(a[kindOf(a)] || {}, key) : undefined;
  }
  function setSlot(body, from, key, value) {
    if (from === ENTRY) { if (value) body.StartActivity = value; else delete body.StartActivity; return; }
    const a = acts(body)[from];
    setPath(a[kindOf(a)], key, value);
  }
  function reachable(body) {
    const seen = new Set(), queue = body.StartActivity ? [body.StartActivity] : [];
    while (queue.length) {
      const id = queue.shift();
      if (seen.has(id) || !acts(body)[id]) continue;
      seen.add(id);
      slots(id, body).forEach((s) => { const n = getSlot(body, id, s.key); if (n) queue.push(n); });
    }
    return seen;
  }
  // Activities only the changed paths led to are removed; ones that were already unreachable stay for review.
  function prune(body, before) {
    const after = reachable(body);
    let removed = 0;
    before.forEach((id) => { if (!after.has(id) && body.Activities[id]) { delete body.Activities[id]; removed += 1; } });
    return removed;
  }
  function newId(body, kind) {
    let n = 1;
    while (acts(body)[`${PREFIX[kind]}${n}`]) n += 1;
    return `${PREFIX[kind]}${n}`;
  }
  function blank(kind, next) {
    const nextKey = next ? { NextActivity: next } : {};
    switch (kind) {
      case "EMAIL": case "SMS": case "PUSH": return { [kind]: { MessageConfig: {}, ...nextKey } };
      case "CUSTOM": return { CUSTOM: { EndpointTypes: ["CUSTOM"], MessageConfig: {}, ...nextKey } };
      case "INAPP": return { INAPP: { MessageConfig: { Priority: 3 }, ...nextKey } };
      case "Wait": return { Wait: { WaitTime: { WaitFor: "P1D" }, ...nextKey } };
      case "ConditionalSplit": return { ConditionalSplit: { Condition: { Conditions: [], Operator: "ALL" }, ...(next ? { TrueActivity: next } : {}) } };
      case "MultiCondition": return { MultiCondition: { Branches: [{ ...nextKey }, {}] } };
      case "RandomSplit": return { RandomSplit: { Branches: [{ Percentage: 50, ...nextKey }, { Percentage: 50 }] } };
      case "Holdout": return { Holdout: { Percentage: 10, ...nextKey } };
      default: throw new Error(`unknown activity kind ${kind}`);
    }
  }
  // Insert at a path: the new activity's first path continues to what followed. "END" ends the path here.
  function insert(body, at, kind) {
    const child = getSlot(body, at.from, at.key);
    if (kind === "END") {
      const before = reachable(body);
      setSlot(body, at.from, at.key, undefined);
      return { id: null, removed: prune(body, before) };
    }
    const id = newId(body, kind);
    body.Activities = body.Activities || {};
    body.Activities[id] = blank(kind, child);
    setSlot(body, at.from, at.key, id);
    return { id, removed: 0 };
  }
  function parentsOf(body, id) {
    const out = [];
    if (body.StartActivity === id) out.push({ from: ENTRY, key: "StartActivity" });
    Object.keys(acts(body)).forEach((pid) => slots(pid, body).forEach((s) => {
      if (getSlot(body, pid, s.key) === id) out.push({ from: pid, key: s.key });
    }));
    return out;
  }
  // Delete an activity: its parents lead to its first path's activity; its other paths' activities go with it.
  function remove(body, id) {
    const before = reachable(body);
    const next = getSlot(body, id, slots(id, body)[0]?.key || "NextActivity");
    parentsOf(body, id).forEach((p) => setSlot(body, p.from, p.key, next));
    delete body.Activities[id];
    return prune(body, before);
  }
  // A branch removed from a split, with the activities only it led to.
  function removeBranch(body, id, index) {
    const before = reachable(body), a = acts(body)[id], b = a[kindOf(a)];
    b.Branches.splice(index, 1);
    return prune(body, before);
  }
  // Activities on every path from the entry to `id` (the earlier message activities a split may test).
  function ancestors(body, id) {
    const out = new Set();
    const walk = (cur, trail) => {
      if (cur === id) { trail.forEach((t) => out.add(t)); return; }
      if (!acts(body)[cur] || trail.includes(cur)) return;
      slots(cur, body).forEach((s) => { const n = getSlot(body, cur, s.key); if (n) walk(n, [...trail, cur]); });
    };
    if (body.StartActivity) walk(body.StartActivity, []);
    return [...out];
  }

  // Layout: a tree from the entry down; an activity reached a second time is drawn once and the later path
  // shows a "joins" leaf instead of a crossing line.
  function layout(body) {
    const placed = new Set();
    const build = (id) => {
      placed.add(id);
      const children = slots(id, body).map((s) => {
        const target = getSlot(body, id, s.key);
        if (target && acts(body)[target] && !placed.has(target)) return { slot: s, tree: build(target) };
        return { slot: s, leaf: target && acts(body)[target] ? "join" : "end", target: target || null };
      });
      const widths = children.map((c) => (c.tree ? c.tree.width : LEAF));
      const sum = widths.reduce((x, y) => x + y, 0) + GAP * Math.max(0, children.length - 1);
      return { id, children, widths, width: Math.max(W, sum) };
    };
    const tree = build(ENTRY);
    const out = { nodes: [], edges: [], leaves: [], width: tree.width + 2 * GAP, height: 0 };
    const place = (t, left, depth) => {
      const x = left + t.width / 2, y = depth * ROW + GAP;
      out.nodes.push({ id: t.id, x, y });
      out.height = Math.max(out.height, y + ROW);
      const total = t.widths.reduce((a, b) => a + b, 0) + GAP * Math.max(0, t.children.length - 1);
      let cursor = left + (t.width - total) / 2;
      t.children.forEach((c, i) => {
        const cx = cursor + t.widths[i] / 2, cy = (depth + 1) * ROW + GAP;
        out.edges.push({ from: t.id, key: c.slot.key, label: c.slot.label, x1: x, y1: y + H, x2: cx, y2: cy, target: c.target || (c.tree && c.tree.id) });
        if (c.tree) place(c.tree, cursor, depth + 1);
        else { out.leaves.push({ kind: c.leaf, target: c.target, x: cx, y: cy, from: t.id, key: c.slot.key }); out.height = Math.max(out.height, cy + 60); }
        cursor += t.widths[i] + GAP;
      });
    };
    place(tree, GAP, 0);
    // Activities no path reaches (an imported or half-edited journey) are drawn beside the tree, flagged by the review.
    Object.keys(acts(body)).filter((id) => !placed.has(id)).forEach((id) => {
      if (placed.has(id)) return;
      const loose = build(id);
      out.detached = (out.detached || []).concat(id);
      place(loose, out.width, 0);
      out.width += loose.width + GAP;
    });
    return out;
  }

  Object.assign(window.JB, { ENTRY, KINDS, SENDS, ENGAGING, TITLES, W, H, clone, kindOf, getPath, setPath, slots, getSlot, setSlot,
    reachable, insert, remove, removeBranch, parentsOf, ancestors, layout });
})();
