// The segment builder: Pinpoint's SegmentGroups edited visually and kept in sync with a JSON <textarea>, which is
// the form field (without this script the textarea alone still edits the definition). Each change rewrites the
// textarea and fires `definition-change`, on which HTMX posts the draft for the live estimate.
(() => {
  "use strict";
  const $ = (root, selector) => root.querySelector(selector);
  const $$ = (root, selector) => Array.from(root.querySelectorAll(selector));
  const make = (id) => document.getElementById(id).content.firstElementChild.cloneNode(true);
  const DATE_OPS = ["BEFORE", "AFTER", "ON", "BETWEEN"];
  const DAY = /^\d{4}-\d{2}-\d{2}$/;
  const DIMENSION_KEYS = ["Attributes", "UserAttributes", "Metrics", "Demographic", "Location", "Behavior", "Events"];
  // The "Device" filter's keys: Demographic ones, and (as Location.<key>) the place fields beside Country.
  const DEVICE_KEYS = ["Platform", "AppVersion", "Make", "Model", "Channel", "Locale", "ModelVersion", "PlatformVersion",
    "Timezone"];
  const PLACE_KEYS = ["City", "Region", "PostalCode"];
  let serial = 0;

  // A list of values typed (Enter) or picked from a <datalist>, each shown as a removable chip.
  const Tokens = {
    add(box, raw) {
      const value = String(raw).trim();
      if (!value || Tokens.values(box, false).includes(value)) return;
      const chip = document.createElement("span");
      chip.className = "token";
      chip.dataset.value = value;
      chip.append(value);
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "token-x";
      remove.dataset.removeToken = "";
      remove.setAttribute("aria-label", `Remove ${value}`);
      remove.textContent = "×";
      chip.append(remove);
      box.insertBefore(chip, $(box, "[data-token-input]"));
    },
    values(box, withPending = true) {
      const out = $$(box, ":scope > .token").map((chip) => chip.dataset.value);
      const input = $(box, "[data-token-input]");
      const pending = withPending && input ? input.value.trim() : "";
      if (pending && !out.includes(pending)) out.push(pending);
      return out;
    },
    set(box, values) {
      $$(box, ":scope > .token").forEach((chip) => chip.remove());
      (Array.isArray(values) ? values : []).forEach((value) => Tokens.add(box, value));
    },
    commit(input) {
      const box = input.closest("[data-tokens]");
      if (!box || !input.value.trim()) return false;
      Tokens.add(box, input.value);
      input.value = "";
      return true;
    },
  };

  const numberOrNull = (input) => (input.value.trim() === "" ? null : Number(input.value));
  const entries = (value) => (value && typeof value === "object" && !Array.isArray(value) ? Object.entries(value) : []);

  // Endpoint and user attributes share one row template; the other kinds each have their own (tpl-filter-<kind>).
  const KINDS = {
    attribute: { template: "tpl-filter-attribute", label: "Attribute", list: "dl-attribute" },
    user_attribute: { template: "tpl-filter-attribute", label: "User attribute", list: "dl-user-attribute" },
  };

  // How to read each kind of row back into Pinpoint JSON (null: not finished yet), and how to fill it from JSON.

  const fillAttribute = (row, data) => {
    $(row, "[data-name]").value = data.name || "";
    const op = data.AttributeType || "INCLUSIVE";
    $(row, "[data-op]").value = op;
    const values = Array.isArray(data.Values) ? data.Values.map(String) : [];
    if (DATE_OPS.includes(op)) {
      [$(row, "[data-date]"), $(row, "[data-date2]")].forEach((input, i) => {
        if (values[i] && !DAY.test(values[i])) input.type = "text"; // a date-time stays as written
        input.value = values[i] || "";
      });
    } else {
      Tokens.set($(row, "[data-tokens]"), values);
    }
  };

  const readAttribute = (row, section) => {
    const name = $(row, "[data-name]").value.trim();
    const op = $(row, "[data-op]").value;
    let values;
    if (DATE_OPS.includes(op)) {
      values = [$(row, "[data-date]").value.trim()];
      if (op === "BETWEEN") values.push($(row, "[data-date2]").value.trim());
      if (values.some((v) => !v)) return null;
    } else {
      values = Tokens.values($(row, "[data-tokens]"));
    }
    if (!name || !values.length) return null;
    return { section, key: name, value: { AttributeType: op, Values: values } };
  };

  const readEvent = (row) => {
    const type = $(row, "[data-name]").value.trim();
    const mode = $(row, "[data-event-op]").value;
    const count = mode === "NONE" ? 0 : numberOrNull($(row, "[data-count]"));
    const days = numberOrNull($(row, "[data-days]"));
    if (!type || count === null || days === null) return null;
    const event = { EventType: type, Operator: mode === "NONE" ? "AT_MOST" : mode, Count: count, WithinDays: days };
    let unfinished = false;
    $$(row, "[data-sub]").forEach((sub) => {
      const name = $(sub, "[data-name]").value.trim();
      if (sub.dataset.sub === "attribute") {
        const values = Tokens.values($(sub, "[data-tokens]"));
        if (!name || !values.length) { unfinished = true; return; }
        event.Attributes = { ...(event.Attributes || {}), [name]: values };
      } else {
        const value = numberOrNull($(sub, "[data-number]"));
        if (!name || value === null) { unfinished = true; return; }
        event.Metrics = { ...(event.Metrics || {}), [name]: { ComparisonOperator: $(sub, "[data-op]").value, Value: value } };
      }
    });
    return unfinished ? null : { list: "Events", value: event };
  };

  const READERS = {
    attribute: (row) => readAttribute(row, "Attributes"),
    user_attribute: (row) => readAttribute(row, "UserAttributes"),
    metric: (row) => {
      const name = $(row, "[data-name]").value.trim();
      const value = numberOrNull($(row, "[data-number]"));
      if (!name || value === null) return null;
      return { section: "Metrics", key: name, value: { ComparisonOperator: $(row, "[data-op]").value, Value: value } };
    },
    demographic: (row) => {
      const values = Tokens.values($(row, "[data-tokens]"));
      if (!values.length) return null;
      const key = $(row, "[data-key]").value;
      const value = { DimensionType: $(row, "[data-op]").value, Values: values };
      if (key.startsWith("Location.")) return { section: "Location", key: key.slice("Location.".length), value };
      return { section: "Demographic", key, value };
    },
    country: (row) => {
      const values = Tokens.values($(row, "[data-tokens]")).map((v) => v.toUpperCase());
      if (!values.length) return null;
      return { section: "Location", key: "Country", value: { DimensionType: $(row, "[data-op]").value, Values: values } };
    },
    gps: (row) => {
      const [lat, lon, km] = ["[data-lat]", "[data-lon]", "[data-km]"].map((s) => numberOrNull($(row, s)));
      if (lat === null || lon === null) return null;
      const value = { Coordinates: { Latitude: lat, Longitude: lon }, RangeInKilometers: km === null ? 100 : km };
      return { section: "Location", key: "GPSPoint", value };
    },
    recency: (row) => ({
      section: "Behavior",
      key: "Recency",
      value: { RecencyType: $(row, "[data-recency]").value, Duration: $(row, "[data-duration]").value },
    }),
    event: readEvent,
  };

  const FILLERS = {
    attribute: fillAttribute,
    user_attribute: fillAttribute,
    metric: (row, data) => {
      $(row, "[data-name]").value = data.name || "";
      if (data.ComparisonOperator) $(row, "[data-op]").value = data.ComparisonOperator;
      if (data.Value !== undefined) $(row, "[data-number]").value = data.Value;
    },
    demographic: (row, data) => {
      if (data.key) $(row, "[data-key]").value = data.key;
      $(row, "[data-op]").value = data.DimensionType || "INCLUSIVE";
      Tokens.set($(row, "[data-tokens]"), data.Values);
    },
    country: (row, data) => {
      $(row, "[data-op]").value = data.DimensionType || "INCLUSIVE";
      Tokens.set($(row, "[data-tokens]"), data.Values);
    },
    gps: (row, data) => {
      const coords = data.Coordinates || {};
      if (coords.Latitude !== undefined) $(row, "[data-lat]").value = coords.Latitude;
      if (coords.Longitude !== undefined) $(row, "[data-lon]").value = coords.Longitude;
      if (data.RangeInKilometers !== undefined) $(row, "[data-km]").value = data.RangeInKilometers;
    },
    recency: (row, data) => {
      if (data.RecencyType) $(row, "[data-recency]").value = data.RecencyType;
      if (data.Duration) $(row, "[data-duration]").value = data.Duration;
    },
    event: (row, data, builder) => {
      $(row, "[data-name]").value = data.EventType || "";
      const none = data.Operator === "AT_MOST" && data.Count === 0;
      $(row, "[data-event-op]").value = none ? "NONE" : data.Operator || "AT_LEAST";
      if (data.Count !== undefined && !none) $(row, "[data-count]").value = data.Count;
      if (data.WithinDays !== undefined) $(row, "[data-days]").value = data.WithinDays;
      entries(data.Attributes).forEach(([name, values]) => builder.addSub(row, "attribute", { name, values }));
      entries(data.Metrics).forEach(([name, metric]) => builder.addSub(row, "metric", { name, ...metric }));
    },
  };

  class Builder {
    constructor(root) {
      this.root = root;
      this.field = $(root, "#definition");
      this.groups = $(root, "[data-groups]");
      this.single = root.dataset.single === "true";
      this.form = root.closest("form");
      this.hint = this.form && $(this.form, "[data-builder-hint]");
      this.mode = "visual";
      this.problems = 0;
      this.last = this.field.value;
      root.classList.add("js-ready");
      this.bind();
      const parsed = this.parse(this.field.value);
      if (parsed === undefined) {
        this.setMode("json", { force: true });
      } else {
        this.load(parsed);
        this.sync({ quiet: true });
      }
    }

    parse(text) {
      try {
        const value = JSON.parse(text.trim() || "{}");
        if (value && typeof value === "object" && !Array.isArray(value)) return value;
        this.jsonError("The definition must be a JSON object, such as {\"SegmentGroups\": …}.");
      } catch (error) {
        this.jsonError(`This is not valid JSON yet: ${error.message}`);
      }
      return undefined;
    }

    jsonError(message) {
      const box = $(this.root, "[data-json-error]");
      box.textContent = message || "";
      box.hidden = !message;
    }

    warn(messages) {
      const box = $(this.root, "[data-builder-warning]");
      box.textContent = messages.length ? `The visual editor leaves out: ${messages.join("; ")}.` : "";
      box.hidden = !messages.length;
    }

    // Pinpoint JSON → rows. Legacy top-level Dimensions become one group with one criteria group.
    load(definition) {
      this.groups.replaceChildren();
      this.warnings = [];
      let include = "ALL";
      let groups = [];
      if (definition.SegmentGroups && typeof definition.SegmentGroups === "object") {
        include = definition.SegmentGroups.Include || "ALL";
        groups = Array.isArray(definition.SegmentGroups.Groups) ? definition.SegmentGroups.Groups : [];
      } else if (definition.Dimensions && typeof definition.Dimensions === "object") {
        groups = [{ Type: "ALL", SourceType: "ANY", Dimensions: [definition.Dimensions] }];
      }
      this.legacy = Boolean(definition.Dimensions) && !definition.SegmentGroups;
      this.include = include;
      const limit = this.single ? 1 : 2;
      if (groups.length > limit) this.warnings.push(`segment groups after the ${limit === 1 ? "first" : "second"}`);
      (groups.length ? groups.slice(0, limit) : [{}]).forEach((group) => this.addGroup(group));
      this.warn(this.warnings);
      this.refresh();
    }

    addGroup(data = {}) {
      if (this.groupRows().length === 1) {
        const connector = make("tpl-connector");
        $(connector, "[data-include]").value = this.include || "ALL";
        this.groups.append(connector);
      }
      const group = make("tpl-group");
      this.groups.append(group);
      (Array.isArray(data.SourceSegments) ? data.SourceSegments : []).forEach((ref) => this.addSource(group, ref.Id, ref.Version));
      $(group, "[data-source-type]").value = data.SourceType || "ANY";
      $(group, "[data-group-type]").value = data.Type || "ALL";
      const dims = Array.isArray(data.Dimensions) ? data.Dimensions : [];
      (dims.length ? dims : [{}]).forEach((dim) => this.addBlock(group, dim));
      return group;
    }

    addSource(group, id, version) {
      if (!id) return;
      const box = $(group, "[data-sources]");
      if ($$(box, ".token").some((chip) => chip.dataset.value === id)) return;
      const option = $$(group, "[data-add-source] option").find((o) => o.value === id);
      const chip = document.createElement("span");
      chip.className = "token source";
      chip.dataset.value = id;
      if (version) chip.dataset.version = version;
      chip.append(option ? option.textContent.trim() : `unknown segment ${id}`, version ? ` · v${version}` : "");
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "token-x";
      remove.dataset.removeToken = "";
      remove.setAttribute("aria-label", "Remove base segment");
      remove.textContent = "×";
      chip.append(remove);
      box.append(chip);
    }

    addBlock(group, dims = {}) {
      const block = make("tpl-block");
      $(group, "[data-blocks]").append(block);
      const add = (kind, data) => this.addFilter(block, kind, data);
      entries(dims.Attributes).forEach(([name, d]) => add("attribute", { name, ...d }));
      entries(dims.UserAttributes).forEach(([name, d]) => add("user_attribute", { name, ...d }));
      entries(dims.Metrics).forEach(([name, d]) => add("metric", { name, ...d }));
      entries(dims.Demographic).forEach(([key, d]) => {
        if (DEVICE_KEYS.includes(key)) add("demographic", { key, ...d });
        else this.warnings.push(`Demographic.${key}`);
      });
      const location = dims.Location || {};
      entries(location).forEach(([key, d]) => {
        if (PLACE_KEYS.includes(key)) add("demographic", { ...d, key: `Location.${key}` });
        else if (!["Country", "GPSPoint"].includes(key)) this.warnings.push(`Location.${key}`);
      });
      if (location.Country) add("country", location.Country);
      if (location.GPSPoint) add("gps", location.GPSPoint);
      if (dims.Behavior && dims.Behavior.Recency) add("recency", dims.Behavior.Recency);
      (Array.isArray(dims.Events) ? dims.Events : []).forEach((event) => add("event", event));
      Object.keys(dims).filter((k) => !DIMENSION_KEYS.includes(k)).forEach((k) => this.warnings.push(k));
      return block;
    }

    addFilter(block, kind, data = {}) {
      const spec = KINDS[kind];
      const row = make(spec ? spec.template : `tpl-filter-${kind}`);
      row.dataset.kind = kind;
      if (spec) {
        $(row, "[data-kind-label]").textContent = spec.label;
        $(row, "[data-name]").setAttribute("list", spec.list);
        $(row, "[data-tokens]").dataset.suggest = kind;
      }
      $(block, "[data-filters]").append(row);
      FILLERS[kind](row, data, this);
      this.shape(row);
      return row;
    }

    addSub(row, kind, data = {}) {
      const sub = make(`tpl-sub-${kind}`);
      $(row, "[data-subs]").append(sub);
      $(sub, "[data-name]").value = data.name || "";
      if (kind === "attribute") Tokens.set($(sub, "[data-tokens]"), data.values);
      if (kind === "metric") {
        if (data.ComparisonOperator) $(sub, "[data-op]").value = data.ComparisonOperator;
        if (data.Value !== undefined) $(sub, "[data-number]").value = data.Value;
      }
      return sub;
    }

    // Show the inputs an operator needs: dates for BEFORE…BETWEEN, no count for "did not perform".
    shape(row) {
      const dates = $(row, "[data-dates]");
      if (dates) {
        const op = $(row, "[data-op]").value;
        const isDate = DATE_OPS.includes(op);
        dates.hidden = !isDate;
        $(row, "[data-tokens]").hidden = isDate;
        $(row, "[data-and]").hidden = op !== "BETWEEN";
        $(row, "[data-date2]").hidden = op !== "BETWEEN";
      }
      const count = $(row, "[data-count-phrase]");
      if (count) count.hidden = $(row, "[data-event-op]").value === "NONE";
    }

    groupRows() {
      return $$(this.groups, ":scope > [data-group]");
    }

    // Titles, connector, which buttons make sense now, and the join words between criteria groups.
    refresh() {
      const groups = this.groupRows();
      const connector = $(this.groups, "[data-connector]");
      if (connector && groups.length < 2) connector.remove();
      groups.forEach((group, gi) => {
        $(group, "[data-group-title]").textContent = this.single ? "Who passes the guard" : `Segment group ${gi + 1}`;
        $(group, "[data-remove-group]").hidden = gi === 0;
        const sourceType = $(group, "[data-source-type]");
        const exclude = $(sourceType, "option[value=NONE]");
        exclude.hidden = gi === 0 && sourceType.value !== "NONE";
        const hasSources = $$(group, "[data-sources] .token").length > 0;
        sourceType.hidden = !hasSources;
        $(group, "[data-all-endpoints]").hidden = hasSources;
        group.dataset.type = $(group, "[data-group-type]").value;
        group.classList.toggle("has-sources", hasSources);
        const blocks = $$(group, "[data-block]");
        blocks.forEach((block, bi) => {
          $(block, "[data-block-title]").textContent = `Criteria group ${bi + 1}`;
          $(block, "[data-no-filters]").hidden = $$(block, "[data-filter]").length > 0;
        });
        group.classList.toggle("one-block", blocks.length < 2);
      });
      const addGroup = $(this.root, "[data-add-group]");
      if (addGroup) addGroup.hidden = this.single || groups.length >= 2;
    }

    // Rows → Pinpoint JSON. Unfinished rows are left out (and flagged); a name used twice in one criteria
    // group is flagged too, since one SegmentDimensions object holds each name once.
    serialize() {
      let problems = 0;
      const flag = (row, message) => {
        row.classList.toggle("unfinished", Boolean(message));
        if (message) problems += 1;
        const box = $(row, "[data-filter-error]");
        if (!message && box.dataset.source === "server") return; // the server's verdict stays until the next one
        box.textContent = message || "";
        box.hidden = !message;
        box.dataset.source = message ? "client" : "";
      };
      const groups = this.groupRows().map((group, gi) => {
        const dimensions = [];
        $$(group, "[data-block]").forEach((block) => {
          const dims = {};
          const paths = [];
          $$(block, "[data-filter]").forEach((row) => {
            const read = READERS[row.dataset.kind](row);
            row.dataset.path = "";
            if (!read) {
              flag(row, "Not counted yet: fill this filter in, or remove it.");
              return;
            }
            if (read.list) {
              dims[read.list] = dims[read.list] || [];
              paths.push([row, `${read.list}[${dims[read.list].length}]`]);
              dims[read.list].push(read.value);
            } else if (dims[read.section] && dims[read.section][read.key] !== undefined) {
              flag(row, `${read.section}.${read.key} is already used in this criteria group: put all its values in one filter, or use another criteria group.`);
              return;
            } else {
              dims[read.section] = { ...(dims[read.section] || {}), [read.key]: read.value };
              paths.push([row, `${read.section}.${read.key}`]);
            }
            flag(row, "");
          });
          if (!Object.keys(dims).length) return;
          paths.forEach(([row, tail]) => { row.dataset.path = `SegmentGroups.Groups[${gi}].Dimensions[${dimensions.length}].${tail}`; });
          dimensions.push(dims);
        });
        const out = { Type: $(group, "[data-group-type]").value, SourceType: $(group, "[data-source-type]").value, Dimensions: dimensions };
        const sources = $$(group, "[data-sources] .token").map((chip) => {
          const ref = { Id: chip.dataset.value };
          if (chip.dataset.version) ref.Version = Number(chip.dataset.version);
          return ref;
        });
        if (sources.length) out.SourceSegments = sources;
        return out;
      });
      const connector = $(this.groups, "[data-include]");
      const include = connector ? connector.value : "ALL";
      return { definition: this.shapeOut(include, groups), problems };
    }

    // Everyone stays `{}`, and a definition that came as legacy Dimensions stays that way while it fits,
    // so saving an unchanged segment does not make a new version.
    shapeOut(include, groups) {
      const plain = (g) => g.Type === "ALL" && g.SourceType === "ANY" && !g.SourceSegments;
      if (include === "ALL" && groups.length === 1 && plain(groups[0])) {
        if (!groups[0].Dimensions.length) return {};
        if ((this.legacy || this.single) && groups[0].Dimensions.length === 1) {
          $$(this.root, "[data-filter]").forEach((row) => {
            row.dataset.path = row.dataset.path.replace(/^SegmentGroups\.Groups\[0\]\.Dimensions\[0\]/, "Dimensions");
          });
          return { Dimensions: groups[0].Dimensions[0] };
        }
      }
      return { SegmentGroups: { Include: include, Groups: groups } };
    }

    sync({ quiet = false } = {}) {
      if (this.mode === "json") {
        this.changed(quiet);
        return;
      }
      this.refresh();
      const { definition, problems } = this.serialize();
      this.problems = problems;
      this.field.value = JSON.stringify(definition, null, 2);
      this.showHint();
      this.changed(quiet);
    }

    changed(quiet) {
      if (this.field.value === this.last) return; // e.g. a blur: keep the current verdict on screen
      this.last = this.field.value;
      this.clearServerError();
      if (!quiet) document.body.dispatchEvent(new CustomEvent("definition-change"));
    }

    showHint(message) {
      if (!this.hint) return;
      const text = message || (this.problems ? `${this.problems} filter${this.problems > 1 ? "s" : ""} not counted yet` : "");
      this.hint.textContent = text;
      this.hint.classList.toggle("bad", Boolean(message));
    }

    setMode(mode, { force = false } = {}) {
      if (mode === this.mode && !force) return;
      if (mode === "visual") {
        const parsed = this.parse(this.field.value);
        if (parsed === undefined) return; // stay in JSON until it parses
        this.jsonError("");
        this.mode = "visual";
        this.load(parsed);
        this.sync();
      } else {
        if (this.mode === "visual" && !force) this.sync({ quiet: true }); // forced: keep the text as it came
        this.mode = "json";
      }
      this.root.dataset.mode = this.mode;
      $$(this.root, "[data-mode-button]").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.modeButton === this.mode)));
      if (this.mode === "json") {
        this.field.focus();
        this.field.setSelectionRange(0, 0);
        this.field.scrollTop = 0;
      }
    }

    clearServerError() {
      $$(this.root, "[data-filter].server-error").forEach((row) => {
        row.classList.remove("server-error");
        const box = $(row, "[data-filter-error]");
        if (box.dataset.source === "server") { box.hidden = true; box.textContent = ""; box.dataset.source = ""; }
      });
    }

    // The estimate answered with parse_definition's field-level error: show it on the filter it names.
    markServerError(field, message) {
      this.clearServerError();
      if (!field || this.mode !== "visual") return;
      const rows = $$(this.root, "[data-filter]").filter((row) => {
        const path = row.dataset.path;
        return path && (field === path || field.startsWith(`${path}.`) || field.startsWith(`${path}[`));
      });
      const row = rows.sort((a, b) => b.dataset.path.length - a.dataset.path.length)[0];
      if (!row) return;
      row.classList.add("server-error");
      const box = $(row, "[data-filter-error]");
      const own = `${row.dataset.path}.`;
      box.textContent = message.split(own).join("");
      box.hidden = false;
      box.dataset.source = "server";
    }

    suggest(input) {
      const box = input.closest("[data-tokens]");
      const row = input.closest("[data-filter]");
      if (!box || !box.dataset.suggest || !row || typeof htmx === "undefined") return;
      const field = box.dataset.suggest === "key" ? $(row, "[data-key]").value : box.dataset.suggest;
      const named = field === "attribute" || field === "user_attribute";
      const name = named ? $(row, "[data-name]").value.trim() : "";
      if (named && !name) return;
      let list = $(box, "datalist");
      if (!list) {
        list = document.createElement("datalist");
        list.id = `dl-values-${(serial += 1)}`;
        box.append(list);
        input.setAttribute("list", list.id);
      }
      const key = `${field}\u0000${name}`;
      if (box.dataset.loaded === key) return;
      box.dataset.loaded = key;
      const url = `${this.root.dataset.suggestUrl}?${new URLSearchParams({ field, name })}`;
      htmx.ajax("GET", url, { target: list, swap: "innerHTML" });
    }

    bind() {
      const root = this.root;
      root.addEventListener("click", (event) => this.onClick(event));
      root.addEventListener("change", (event) => this.onChange(event));
      root.addEventListener("input", (event) => {
        const input = event.target;
        // Picking an option of a <datalist> arrives as an input event without a typed character.
        if (input.matches("[data-token-input]") && (!event.inputType || event.inputType === "insertReplacementText")) {
          Tokens.commit(input);
        }
        this.sync();
      });
      root.addEventListener("keydown", (event) => {
        const input = event.target;
        if (event.key === "Enter" && input.matches("input")) {
          event.preventDefault(); // Enter adds a value; it never submits the whole form by accident
          if (input.matches("[data-token-input]") && Tokens.commit(input)) this.sync();
        }
        if (event.key === "Backspace" && input.matches("[data-token-input]") && !input.value) {
          const chips = $$(input.closest("[data-tokens]"), ":scope > .token");
          if (chips.length) { chips[chips.length - 1].remove(); this.sync(); }
        }
      });
      root.addEventListener("focusin", (event) => {
        if (event.target.matches("[data-token-input]")) this.suggest(event.target);
      });
      if (this.form) this.form.addEventListener("submit", (event) => this.onSubmit(event));
      document.body.addEventListener("htmx:afterSwap", (event) => {
        const target = event.detail.target;
        if (!target || target.id !== "estimate") return;
        const error = $(target, "[data-error-field]");
        if (error) this.markServerError(error.dataset.errorField, $(error, "p").textContent.trim());
        else this.clearServerError();
      });
    }

    onClick(event) {
      const t = event.target.closest("button");
      if (!t) return;
      const group = t.closest("[data-group]");
      if (t.matches("[data-mode-button]")) this.setMode(t.dataset.modeButton);
      else if (t.matches("[data-add-group]")) this.focusFirst(this.addGroup({}));
      else if (t.matches("[data-remove-group]")) group.remove();
      else if (t.matches("[data-add-block]")) this.focusFirst(this.addBlock(group));
      else if (t.matches("[data-remove-block]")) t.closest("[data-block]").remove();
      else if (t.matches("[data-remove-filter]")) t.closest("[data-filter]").remove();
      else if (t.matches("[data-add-sub]")) this.focusFirst(this.addSub(t.closest("[data-filter]"), t.dataset.addSub));
      else if (t.matches("[data-remove-sub]")) t.closest("[data-sub]").remove();
      else if (t.matches("[data-remove-token]")) t.closest(".token").remove();
      else return;
      this.sync();
    }

    onChange(event) {
      const t = event.target;
      if (t.matches("[data-add-filter]")) {
        if (!t.value) return;
        const row = this.addFilter(t.closest("[data-block]"), t.value);
        t.value = "";
        this.focusFirst(row);
      } else if (t.matches("[data-add-source]")) {
        if (!t.value) return;
        this.addSource(t.closest("[data-group]"), t.value);
        t.value = "";
      } else if (t.matches("[data-token-input]")) {
        Tokens.commit(t);
      } else if (t.matches("[data-op], [data-event-op]")) {
        this.shape(t.closest("[data-filter]"));
      } else if (t.matches("[data-key]")) {
        const box = $(t.closest("[data-filter]"), "[data-tokens]");
        box.dataset.loaded = "";
      }
      this.sync();
    }

    focusFirst(container) {
      const input = container && $(container, "input:not([hidden]), select");
      if (input) input.focus();
    }

    onSubmit(event) {
      if (this.mode === "json") return;
      this.sync({ quiet: true });
      if (!this.problems) return;
      event.preventDefault();
      this.showHint(`Finish or remove the ${this.problems} highlighted filter${this.problems > 1 ? "s" : ""} before saving.`);
      const first = $(this.root, "[data-filter].unfinished");
      if (first) { first.scrollIntoView({ block: "center", behavior: "smooth" }); this.focusFirst(first); }
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-builder]").forEach((root) => { root.builder = new Builder(root); });
  });
})();
