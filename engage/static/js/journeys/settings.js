// The journey settings panel: name, schedule and time zone, local time and its estimation, quiet time, weekday
// send windows and date exceptions (for all channels or per channel), and the journey's limits.
window.JB = window.JB || {};
(() => {
  const JB = window.JB;
  const { F, esc, btn } = JB;
  const CHANNELS = ["EMAIL", "SMS", "PUSH", "VOICE", "CUSTOM"];
  const DAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"];
  const same = (a, b) => JSON.stringify(a || null) === JSON.stringify(b || null);

  // "all" when every channel has the same windows and exceptions (or none), else the channel being edited.
  function scopeOf(body, ui) {
    if (ui.scope) return ui.scope;
    const oh = body.OpenHours || {}, cd = body.ClosedDays || {};
    const uniform = CHANNELS.every((c) => same(oh[c], oh.EMAIL) && same(cd[c], cd.EMAIL));
    return uniform ? "all" : "EMAIL";
  }

  function windows(body, ui) {
    // Decided once from what is saved, so a change to one channel's copy does not flip "all" to per-channel.
    ui.scope = scopeOf(body, ui);
    const scope = ui.scope, ch = scope === "all" ? "EMAIL" : scope;
    const tabs = [["all", "All channels"], ...CHANNELS.map((c) => [c, c])].map(([v, l]) => `<label><input type="radio" name="oh-scope" data-action="oh-scope" value="${v}"${scope === v ? " checked" : ""}><span>${l}</span></label>`).join("");
    const days = DAYS.map((d) => {
      const ranges = JB.getPath(body, `OpenHours.${ch}.${d}`) || [];
      const rows = ranges.map((_, i) => `<span class="jb-range">${F.time(body, `OpenHours.${ch}.${d}.${i}.StartTime`, "From")}${F.time(body, `OpenHours.${ch}.${d}.${i}.EndTime`, "To")}
        ${btn("range-remove", "×", `data-day="${d}" data-index="${i}" aria-label="Remove range ${i + 1} of ${d.toLowerCase()}"`, "btn small link")}</span>`).join("");
      return `<div class="jb-day" data-path="OpenHours.${ch}.${d}"><strong>${d.slice(0, 3)}</strong><div>${rows || '<span class="muted small">No window: no sending</span>'}</div>
        ${ranges.length < 4 ? btn("range-add", "+", `data-day="${d}" aria-label="Add a time range on ${d.toLowerCase()}"`, "btn small") : ""}<div class="notes"></div></div>`;
    }).join("");
    const closed = JB.getPath(body, `ClosedDays.${ch}`) || [];
    const zone = JB.zoneOf(body, JB.state.options);
    const rules = closed.map((_, i) => `<div class="jb-closed">${F.text(body, `ClosedDays.${ch}.${i}.Name`, "Name", { max: 100 })}
      ${F.datetime(body, `ClosedDays.${ch}.${i}.StartDateTime`, "From", zone)}${F.datetime(body, `ClosedDays.${ch}.${i}.EndDateTime`, "To", zone)}
      ${btn("closed-remove", "Remove", `data-index="${i}" aria-label="Remove exception ${i + 1}"`, "btn small link danger")}</div>`).join("");
    return `<fieldset class="field"><legend>Apply to</legend><div class="segmented small">${tabs}</div></fieldset>
      <p class="muted small">Days without a window send nothing once any window is set. Up to 4 ranges a day.</p>
      <div class="jb-days">${days}</div>${btn("oh-clear", "Clear the weekday windows", "", "btn small link")}
      <h4>Date exceptions <span class="muted small">(${closed.length}/20)</span></h4><div data-path="ClosedDays.${ch}">${rules}<div class="notes"></div></div>
      ${closed.length < 20 ? btn("closed-add", "+ Add exception") : ""}`;
  }

  function settings(body, opts, ui) {
    const zone = JB.zoneOf(body, opts);
    const zones = opts.zones.map((z) => [z, z]);
    let html = F.text(body, "Name", "Name", { max: 150 })
      + `<h4>Schedule</h4>`
      + F.datetime(body, "Schedule.StartTime", "Start", zone, { help: "Empty: as soon as it is published." })
      + F.datetime(body, "Schedule.EndTime", "End", zone, { help: "Empty: runs until stopped." })
      + F.select(body, "Schedule.Timezone", "Time zone of these dates", [["", `Project default (${opts.tenantZone})`], ...zones], { rerender: true })
      + `<h4>When to send</h4>`
      + F.check(body, "LocalTime", "In each recipient's local time zone", { help: "Not for event-triggered journeys." })
      + F.checks(body, "TimezoneEstimationMethods", "Estimate a missing time zone from", [["PHONE_NUMBER", "Phone number"], ["POSTAL_CODE", "Postal code"]])
      + `<div class="jb-row">${F.time(body, "QuietTime.Start", "Quiet time from")}${F.time(body, "QuietTime.End", "to")}</div>`
      + F.check(body, "WaitForQuietTime", "Resume sending after quiet time", { help: "Off: messages due in quiet time are dropped." })
      + F.check(body, "SendingSchedule", "Send only in weekday windows", { rerender: true });
    if (body.SendingSchedule) html += windows(body, ui);
    html += `<h4>Limits</h4><div class="grid-2">`
      + F.number(body, "Limits.DailyCap", "Daily messages per endpoint (all journeys)", { min: 0, maxn: 100 })
      + F.number(body, "Limits.TotalCap", "Messages per endpoint from this journey", { min: 0, maxn: 100 })
      + F.number(body, "Limits.MessagesPerSecond", "Messages per second", { min: 50, maxn: 20000 })
      + F.number(body, "Limits.EndpointReentryCap", "Entries per endpoint (0: unlimited)", { min: 0 })
      + F.duration(body, "Limits.EndpointReentryInterval", "Re-entry interval", ["H", "D"])
      + `<span></span>`
      + F.number(body, "Limits.TimeframeCap.Cap", "Messages across journeys in a time frame", { min: 0, maxn: 100 })
      + F.number(body, "Limits.TimeframeCap.Days", "Time frame (days)", { min: 1, maxn: 30 })
      + `</div><p class="muted small">Empty limits use the project defaults.</p>`;
    return { title: "Journey settings", html };
  }

  // Write one change of the weekday windows or exceptions to every channel in "all" scope.
  function spread(body, ui) {
    if (scopeOf(body, ui) !== "all") return;
    ["OpenHours", "ClosedDays"].forEach((key) => {
      const src = body[key] && body[key].EMAIL;
      if (!src || (Array.isArray(src) ? !src.length : !Object.keys(src).length)) { delete body[key]; return; }
      body[key] = Object.fromEntries(CHANNELS.map((c) => [c, JB.clone(src)]));
    });
  }

  function windowAction(body, ui, action, el) {
    const scope = scopeOf(body, ui), ch = scope === "all" ? "EMAIL" : scope;
    if (action === "oh-scope") { ui.scope = el.value; return "panel"; }
    if (action === "range-add") {
      const list = JB.getPath(body, `OpenHours.${ch}.${el.dataset.day}`) || [];
      list.push({ StartTime: "09:00", EndTime: "17:00" });
      JB.setPath(body, `OpenHours.${ch}.${el.dataset.day}`, list);
    }
    if (action === "range-remove") JB.getPath(body, `OpenHours.${ch}.${el.dataset.day}`).splice(Number(el.dataset.index), 1);
    if (action === "oh-clear") delete body.OpenHours;
    if (action === "closed-add") {
      const list = JB.getPath(body, `ClosedDays.${ch}`) || [];
      const d = new Date(), day = (n) => new Date(d.getTime() + n * 86400000).toISOString().slice(0, 10);
      list.push({ Name: "Holiday", StartDateTime: `${day(7)}T00:00:00Z`, EndDateTime: `${day(8)}T00:00:00Z` });
      JB.setPath(body, `ClosedDays.${ch}`, list);
    }
    if (action === "closed-remove") JB.getPath(body, `ClosedDays.${ch}`).splice(Number(el.dataset.index), 1);
    spread(body, ui);
    return "commit";
  }

  Object.assign(JB.panels, { settings, spread, windowAction });
})();
