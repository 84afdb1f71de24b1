// The side panel's forms: one per activity kind, the entry and the journey settings. Each returns HTML whose
// controls are bound to paths of the journey body; buttons carry data-action for the builder to run.
window.JB = window.JB || {};
(() => {
  const JB = window.JB;
  const { F, esc } = JB;
  const PRIORITIES = [["1", "1 · highest"], ["2", "2"], ["3", "3 · normal"], ["4", "4"], ["5", "5 · lowest"]];
  const SMS_TYPES = [["", "Default (the template's or project's)"], ["TRANSACTIONAL", "Transactional"], ["PROMOTIONAL", "Promotional"]];
  const ENDPOINT_TYPES = ["CUSTOM", "EMAIL", "SMS", "VOICE", "PUSH", "GCM", "APNS", "APNS_SANDBOX", "APNS_VOIP", "APNS_VOIP_SANDBOX", "ADM", "BAIDU", "IN_APP"];
  const OPERATORS = [["EQUAL", "="], ["GREATER_THAN", ">"], ["LESS_THAN", "<"], ["GREATER_THAN_OR_EQUAL", "≥"], ["LESS_THAN_OR_EQUAL", "≤"]];
  const btn = (action, label, extra = "", cls = "btn small") => `<button type="button" class="${cls}" data-action="${action}" ${extra}>${esc(label)}</button>`;
  const zoneOf = (body, opts) => (body.Schedule && body.Schedule.Timezone) || opts.tenantZone || "UTC";

  function templatePicker(body, base, kind, opts) {
    const list = opts.templates[kind] || [];
    const current = JB.getPath(body, `${base}.TemplateName`) || "";
    const choices = [["", list.length ? "Choose a template" : `No ${kind} templates yet`], ...list.map((t) => [t.name, t.name])];
    if (current && !list.some((t) => t.name === current)) choices.push([current, `${current} (missing)`]);
    const found = list.find((t) => t.name === current);
    const versions = [["", "Active version when sent"]];
    for (let v = Number(found ? found.version : 0); v >= 1; v -= 1) versions.push([String(v), `Version ${v}`]);
    return F.select(body, `${base}.TemplateName`, "Template", choices, { rerender: true })
      + F.select(body, `${base}.TemplateVersion`, "Template version", versions);
  }

  function sendPanel(body, id, kind, opts) {
    const base = `Activities.${id}.${kind}`;
    let html = kind === "CUSTOM" ? "" : templatePicker(body, base, kind, opts);
    if (kind === "EMAIL") html += F.text(body, `${base}.MessageConfig.FromAddress`, "Sender address", { placeholder: "news@example.com", help: "Empty: the project's default sender." });
    if (kind === "SMS") {
      html += F.select(body, `${base}.MessageConfig.MessageType`, "Message type", SMS_TYPES)
        + F.text(body, `${base}.MessageConfig.OriginationNumber`, "Origination number", { placeholder: "+12065550100", help: "Wins over the sender ID when both are set." })
        + F.text(body, `${base}.MessageConfig.SenderId`, "Sender ID", { max: 11 })
        + F.text(body, `${base}.MessageConfig.EntityId`, "Entity ID (India)")
        + F.text(body, `${base}.MessageConfig.TemplateId`, "Template ID (India)");
    }
    if (kind === "INAPP") {
      const mc = `${base}.MessageConfig`;
      html += F.select(body, `${mc}.Priority`, "Priority", PRIORITIES, { type: "int", help: "When several messages are due, the app shows the highest priority first." })
        + `<fieldset class="field"><legend>Display caps</legend><p class="muted small">How often the app may show it; empty or 0: no cap.</p><div class="jb-row">`
        + F.number(body, `${mc}.SessionCap`, "Per session", { min: 0 })
        + F.number(body, `${mc}.DailyCap`, "Per day", { min: 0 })
        + F.number(body, `${mc}.TotalCap`, "In total", { min: 0 })
        + `</div></fieldset>`
        + F.text(body, `${mc}.EventFilter.Dimensions.EventType.Values.0`, "Show when the app records", { placeholder: "e.g. app.open", help: "Empty: the app shows it at its next check. A split cannot wait for in-app engagement." });
    }
    if (kind === "PUSH") html += F.text(body, `${base}.MessageConfig.TimeToLive`, "Time to live (seconds)", { input: "number", help: "Empty: each push service's maximum." });
    if (kind === "CUSTOM") {
      html += F.text(body, `${base}.DeliveryUri`, "Webhook URL", { input: "url", placeholder: "https://hooks.example.com/journey", help: "Engage POSTs Pinpoint's custom-channel payload; the JSON it answers is kept for later splits." })
        + F.text(body, `${base}.MessageConfig.Data`, "Custom data", { area: true, max: 5000, help: "Up to 5,000 characters, added to the payload." })
        + F.checks(body, `${base}.EndpointTypes`, "Endpoint types to send to", ENDPOINT_TYPES.map((t) => [t, t]))
        + templatePicker(body, base, "CUSTOM", opts);
    }
    return html;
  }

  function waitPanel(body, id, opts) {
    const base = `Activities.${id}.Wait.WaitTime`, w = JB.getPath(body, base) || {};
    const mode = w.WaitUntil != null ? "until" : "for";
    const radio = (v, label) => `<label><input type="radio" name="wait-mode" data-action="wait-mode" value="${v}"${mode === v ? " checked" : ""}><span>${label}</span></label>`;
    return `<fieldset class="field"><legend>Wait</legend><div class="segmented">${radio("for", "For a period")}${radio("until", "Until a date")}</div></fieldset>`
      + (mode === "for" ? F.duration(body, `${base}.WaitFor`, "Wait for", ["H", "D"], { help: "1 hour to 365 days." })
        : F.datetime(body, `${base}.WaitUntil`, "Wait until", zoneOf(body, opts)));
  }

  // One SimpleCondition at `path`: segment membership or an engagement event of an earlier message activity.
  function conditionFields(body, id, path, opts, index) {
    const c = JB.getPath(body, path) || {};
    const type = c.EventCondition ? "event" : "segment";
    let html = `<div class="jb-cond" data-path="${esc(path)}"><div class="jb-row">
      <select data-action="cond-type" data-cond="${esc(path)}" aria-label="Condition ${index + 1} type">
        <option value="segment"${type === "segment" ? " selected" : ""}>Segment membership</option>
        <option value="event"${type === "event" ? " selected" : ""}>Event on an earlier message</option></select>
      ${btn("cond-remove", "Remove", `data-cond="${esc(path)}" aria-label="Remove condition ${index + 1}"`, "btn small link")}</div>`;
    if (type === "segment") {
      const segs = [["", "Choose a segment"], ...opts.segments.map((s) => [s.id, s.name])];
      html += F.select(body, `${path}.SegmentCondition.SegmentId`, "Segment", segs);
    } else {
      const sends = JB.ancestors(body, id).filter((a) => JB.ENGAGING.includes(JB.kindOf(body.Activities[a])));
      const source = c.EventCondition.MessageActivity || "";
      const kind = source && body.Activities[source] ? JB.kindOf(body.Activities[source]) : "";
      const acts = [["", sends.length ? "Choose the message activity" : "No message activity before this split"],
        ...sends.map((a) => [a, `${body.Activities[a].Description || JB.TITLES[JB.kindOf(body.Activities[a])]} (${a})`])];
      html += F.select(body, `${path}.EventCondition.MessageActivity`, "Message activity", acts, { rerender: true });
      const events = (opts.events[kind] || []).map((e) => [e.value, e.label]);
      const evPath = `${path}.EventCondition.Dimensions.EventType.Values.0`;
      html += F.select(body, evPath, "Event", [["", kind ? "Choose the event" : "Choose the activity first"], ...events], { rerender: true });
      if (JB.getPath(body, evPath) === "_custom.response") {
        const attrs = JB.getPath(body, `${path}.EventCondition.Dimensions.Attributes`) || {};
        const name = Object.keys(attrs)[0] || "";
        html += `<div class="jb-row">${F.text({ n: name }, "n", "Response attribute", {}).replace('data-bind="n"', `data-action-input="response-attr" data-cond="${esc(path)}"`)}
          ${F.text(body, `${path}.EventCondition.Dimensions.Attributes.${name || "_"}.Values`, "Equals", { type: "list", help: "ANY matches every value." }).replace(/data-bind="[^"]*"/, `data-action-input="response-value" data-cond="${esc(path)}"`)}</div>`;
      }
    }
    return `${html}</div>`;
  }

  function evaluation(body, base, opts) {
    const e = JB.getPath(body, `${base}.EvaluationWaitTime`);
    const mode = !e ? "now" : e.WaitUntil != null ? "until" : "for";
    let html = F.select(body, `${base}.EvaluationWaitTime`, "Evaluate", [["now", "Immediately"], ["for", "After a duration"], ["until", "At a date and time"]], { value: mode })
      .replace("data-bind", 'data-action="eval-mode" data-x');
    if (mode === "for") html += F.duration(body, `${base}.EvaluationWaitTime.WaitFor`, "Evaluate after", ["M", "H", "D"]);
    if (mode === "until") html += F.datetime(body, `${base}.EvaluationWaitTime.WaitUntil`, "Evaluate at", zoneOf(body, opts));
    return `${html}<p class="muted small">No data by then means the No (or Else) path.</p>`;
  }

  function splitPanel(body, id, opts) {
    const base = `Activities.${id}.ConditionalSplit`, conds = JB.getPath(body, `${base}.Condition.Conditions`) || [];
    let html = conds.map((_, i) => conditionFields(body, id, `${base}.Condition.Conditions.${i}`, opts, i)).join("");
    if (!conds.length) html += `<div class="field" data-path="${esc(base)}.Condition"><p class="muted small">No condition yet: everyone takes the No path.</p><div class="notes"></div></div>`;
    if (conds.length > 1) html += F.select(body, `${base}.Condition.Operator`, "Participants take Yes when", [["ALL", "all conditions are met"], ["ANY", "any condition is met"]]);
    return `${html}${btn("cond-add", "+ Add condition", `data-cond="${esc(base)}.Condition.Conditions"`)}${evaluation(body, base, opts)}`;
  }

  function multiPanel(body, id, opts) {
    const base = `Activities.${id}.MultiCondition`, branches = JB.getPath(body, `${base}.Branches`) || [];
    const html = branches.map((br, i) => `<fieldset class="jb-branch"><legend>Branch ${i + 1}</legend>
      ${br.Condition && Object.keys(br.Condition).length ? conditionFields(body, id, `${base}.Branches.${i}.Condition`, opts, i) : btn("branch-cond", "+ Set condition", `data-cond="${esc(base)}.Branches.${i}.Condition"`)}
      ${branches.length > 1 ? btn("branch-remove", `Remove branch ${i + 1}`, `data-index="${i}"`, "btn small link danger") : ""}</fieldset>`).join("");
    const add = branches.length < 4 ? btn("branch-add", "+ Add branch") : `<p class="muted small">4 branches is the most; everyone else takes Else.</p>`;
    return `${html}${add}<p class="muted small">The first branch whose condition matches wins; no match takes Else.</p>${evaluation(body, base, opts)}`;
  }

  function randomPanel(body, id) {
    const base = `Activities.${id}.RandomSplit`, branches = JB.getPath(body, `${base}.Branches`) || [];
    const total = branches.reduce((s, b) => s + Number(b.Percentage || 0), 0);
    return `<div class="field" data-path="${esc(base)}.Branches">${branches.map((_, i) => `<div class="jb-row">${F.number(body, `${base}.Branches.${i}.Percentage`, `Branch ${i + 1} (%)`, { min: 1, maxn: 100 })}
      ${branches.length > 2 ? btn("branch-remove", "Remove", `data-index="${i}" aria-label="Remove branch ${i + 1}"`, "btn small link danger") : ""}</div>`).join("")}
      <p class="small ${total === 100 ? "muted" : "text-bad"}" data-total>Total ${total}% (must be exactly 100%)</p><div class="notes"></div></div>
      ${branches.length < 5 ? btn("branch-add", "+ Add branch") : ""}`;
  }

  function activity(body, id, opts, editable) {
    const a = body.Activities[id], kind = JB.kindOf(a);
    let html = F.text(body, `Activities.${id}.Description`, "Description", { max: 1000, help: `Shown on the canvas. Activity id: <code>${esc(id)}</code>` });
    if (JB.SENDS.includes(kind)) html += sendPanel(body, id, kind, opts);
    else if (kind === "Wait") html += waitPanel(body, id, opts);
    else if (kind === "ConditionalSplit") html += splitPanel(body, id, opts);
    else if (kind === "MultiCondition") html += multiPanel(body, id, opts);
    else if (kind === "RandomSplit") html += randomPanel(body, id);
    else if (kind === "Holdout") html += F.number(body, `Activities.${id}.Holdout.Percentage`, "Hold out (%)", { min: 0, maxn: 100, help: "This share leaves the journey here, at random, and gets nothing further." });
    else html += `<p class="form-errors">Contact-center activities are out of scope: delete this activity to publish.</p>`;
    if (editable) html += `<hr class="divider">${btn("delete-activity", "Delete activity", `data-id="${esc(id)}"`, "btn danger")}`;
    return { title: JB.TITLES[kind] || "Activity", html };
  }

  function entry(body, opts) {
    const start = body.StartCondition || {}, mode = start.EventStartCondition ? "event" : "segment";
    const radio = (v, label) => `<label><input type="radio" name="entry-mode" data-action="entry-mode" value="${v}"${mode === v ? " checked" : ""}><span>${label}</span></label>`;
    let html = `<fieldset class="field" data-path="StartCondition"><legend>Participants enter</legend><div class="segmented">${radio("segment", "From a segment")}${radio("event", "When an event happens")}</div><div class="notes"></div></fieldset>`;
    const segs = opts.segments.map((s) => [s.id, s.name]);
    if (mode === "segment") {
      const hours = body.RefreshFrequency ? Math.round((/^PT(\d+)H$/.exec(body.RefreshFrequency) || [0, 0])[1]) || "" : "";
      html += F.select(body, "StartCondition.SegmentStartCondition.SegmentId", "Segment", [["", "Choose a segment"], ...segs])
        + F.select(body, "RefreshFrequency", "Re-read the segment", [["never", "Never"], ["hours", "Once every N hours"]], { value: body.RefreshFrequency ? "hours" : "never" }).replace("data-bind", 'data-action="refresh-mode" data-x')
        + (body.RefreshFrequency ? F.number({ h: hours }, "h", "Every (hours)", { min: 1 }).replace('data-bind="h"', 'data-bind="RefreshFrequency" data-hours').replace('data-path="h"', 'data-path="RefreshFrequency"') : "")
        + F.check(body, "RefreshOnSegmentUpdate", "Also when the segment is updated");
    } else {
      const ev = "StartCondition.EventStartCondition", dims = `${ev}.EventFilter.Dimensions`;
      html += F.text(body, `${dims}.EventType.Values.0`, "Event type", { placeholder: "artist.download", help: "The event's name as your app records it." });
      const attrs = JB.getPath(body, `${dims}.Attributes`) || {}, metrics = JB.getPath(body, `${dims}.Metrics`) || {};
      html += `<fieldset class="field" data-path="${dims}.Attributes"><legend>Attributes (optional)</legend>${Object.keys(attrs).map((k) => `<div class="jb-row">
        <input type="text" value="${esc(k)}" aria-label="Attribute name" data-action-input="attr-rename" data-key="${esc(k)}">
        <input type="text" value="${esc((attrs[k].Values || []).join(", "))}" aria-label="Values of ${esc(k)}" data-bind="${dims}.Attributes.${esc(k)}.Values" data-type="list">
        ${btn("attr-remove", "Remove", `data-key="${esc(k)}"`, "btn small link")}</div>`).join("")}${btn("attr-add", "+ Attribute")}<div class="notes"><div class="help">Several values: any of them.</div></div></fieldset>`;
      html += `<fieldset class="field" data-path="${dims}.Metrics"><legend>Metrics (optional)</legend>${Object.keys(metrics).map((k) => `<div class="jb-row">
        <input type="text" value="${esc(k)}" aria-label="Metric name" data-action-input="metric-rename" data-key="${esc(k)}">
        <select aria-label="Comparison of ${esc(k)}" data-bind="${dims}.Metrics.${esc(k)}.ComparisonOperator">${OPERATORS.map(([v, l]) => `<option value="${v}"${metrics[k].ComparisonOperator === v ? " selected" : ""}>${l}</option>`).join("")}</select>
        <input type="number" step="any" value="${esc(metrics[k].Value)}" aria-label="Value of ${esc(k)}" data-bind="${dims}.Metrics.${esc(k)}.Value" data-type="int">
        ${btn("metric-remove", "Remove", `data-key="${esc(k)}"`, "btn small link")}</div>`).join("")}${btn("metric-add", "+ Metric")}<div class="notes"></div></fieldset>`;
      html += F.select(body, `${ev}.SegmentId`, "Only members of (optional)", [["", "Anyone"], ...opts.segments.filter((s) => s.kind === "DIMENSIONAL").map((s) => [s.id, s.name])]);
    }
    html += F.text(body, "StartCondition.Description", "Description", { max: 1000 });
    return { title: "Journey entry", html };
  }

  Object.assign(JB, { panels: { activity, entry }, zoneOf, btn });
})();
