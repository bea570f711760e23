// Timeline (audit): an introduction's events with actor, time, data and hash, and a
// version slider that shows the introduction as it stood after each step.
import { gql } from "../api.js";
import { field, h, messages, replace, when } from "../dom.js";
import { onLiveEvent } from "../live.js";
import { eventInWords, statusBadge } from "../words.js";

const HISTORY = `query Timeline($id: ID!) {
  introduction(id: $id) {
    id version status
    introducer { id displayName } requester { id displayName } target { id displayName }
  }
  introductionHistory(id: $id) { id version type occurredAt actorId data hash }
}`;
const AT = `query At($id: ID!, $version: Int) {
  introductionAt(id: $id, version: $version) {
    version status context guidelines updatedAt consentedBy { displayName }
  }
}`;
const RECENT = `{ introductions(first: 20) { edges { node { id status updatedAt requester { displayName } target { displayName } } } } }`;

export function render(container, viewer) {
  const id = viewer.params[0];
  if (!id) return chooser(container);
  const notes = messages();
  const events = h("ol", { class: "timeline" });
  const slider = h("input", { type: "range", min: 1, max: 1, value: 1, step: 1 });
  const stateBox = h("div", { class: "state", "aria-live": "polite" });
  const ends = h("div", { class: "range-ends", "aria-hidden": "true" }, h("span", {}, "first"), h("span", {}, "latest"));
  const sliderBox = h("section", { class: "card at", "aria-label": "As of a version" }, field("Show the introduction as of version", slider), ends, stateBox);
  const title = h("h1", {}, "Timeline");
  let history = [];
  let names = new Map();

  async function load() {
    try {
      const data = await gql(HISTORY, { id });
      if (!data.introduction) {
        notes.show([{ kind: "error", text: "No introduction with this id is visible to you." }]);
        sliderBox.hidden = true;
        return;
      }
      const intro = data.introduction;
      names = new Map([intro.introducer, intro.requester, intro.target].map((p) => [p.id, p.displayName]));
      history = data.introductionHistory;
      replace(title, "Timeline: ", intro.requester.displayName, " and ", intro.target.displayName);
      const atEnd = Number(slider.value) === Number(slider.max);
      slider.max = String(history.length);
      if (atEnd) slider.value = String(history.length);
      drawEvents();
      await drawState();
    } catch (error) {
      notes.show([{ kind: "error", text: error.message }]);
    }
  }

  function drawEvents() {
    const upTo = Number(slider.value);
    replace(
      events,
      history.map((e) =>
        h(
          "li",
          { class: e.version > upTo ? "event later" : "event" },
          h("div", { class: "event-head" }, h("span", { class: "version" }, `v${e.version}`), h("strong", {}, eventInWords(e.type, names.get(e.actorId) ?? e.actorId)), h("time", { datetime: e.occurredAt }, when(e.occurredAt))),
          h("p", { class: "meta" }, h("span", {}, e.type), " · actor ", h("code", {}, e.actorId ?? "system"), e.version > upTo ? h("span", { class: "later-note" }, " · after the version shown") : null),
          dataList(e.data, names),
          h("p", { class: "hash" }, h("span", { class: "muted" }, "hash "), h("code", {}, e.hash || "(none)")),
        ),
      ),
    );
  }

  async function drawState() {
    const version = Number(slider.value);
    const event = history[version - 1];
    slider.setAttribute("aria-valuetext", `Version ${version} of ${history.length}: ${event?.type ?? ""}`);
    drawEvents();
    try {
      const { introductionAt: at } = await gql(AT, { id, version });
      if (Number(slider.value) !== version || !at) return;
      replace(
        stateBox,
        h("p", { class: "state-line" }, `After version ${at.version} of ${history.length}: `, statusBadge(at.status)),
        h("p", { class: "meta" }, `as of ${when(at.updatedAt)}`),
        h("p", { class: "meta" }, at.consentedBy.length ? `Consented: ${at.consentedBy.map((p) => p.displayName).join(", ")}` : "No consent yet"),
      );
    } catch (error) {
      notes.show([{ kind: "error", text: error.message }]);
    }
  }
  slider.addEventListener("input", drawState);

  const stopLive = onLiveEvent((event) => {
    if (event.introductionId === id) load();
  });

  replace(
    container,
    h("div", { class: "screen-head" }, title, h("p", { class: "lead" }, "Every event, stored once and never changed; each hash chains it to the one before.")),
    notes,
    h("div", { class: "two-columns timeline-layout" }, h("section", { "aria-label": "Events" }, events), sliderBox),
  );
  load();
  return { dispose: stopLive };
}

// The event's data as stored, with a person's name beside each id it names.
function dataList(data, names) {
  const entries = Object.entries(data ?? {});
  if (!entries.length) return null;
  const shown = (value) =>
    names.has(value)
      ? [names.get(value), h("code", { class: "person-id" }, value)]
      : typeof value === "string"
        ? value
        : JSON.stringify(value);
  return h(
    "dl",
    { class: "data" },
    entries.map(([key, value]) => h("div", {}, h("dt", {}, key), h("dd", {}, shown(value)))),
  );
}

function chooser(container) {
  const notes = messages();
  const list = h("ul", { class: "plain-list" });
  const input = h("input", { type: "text", name: "id", autocomplete: "off", spellcheck: "false" });
  replace(
    container,
    h("div", { class: "screen-head" }, h("h1", {}, "Timeline")),
    h(
      "form",
      {
        class: "card inline-form",
        onsubmit: (e) => {
          e.preventDefault();
          if (input.value.trim()) window.location.hash = `#/timeline/${encodeURIComponent(input.value.trim())}`;
        },
      },
      field("Introduction id", input),
      h("button", { type: "submit" }, "Show its timeline"),
    ),
    notes,
    h("section", { class: "card", "aria-labelledby": "recent-title" }, h("h2", { id: "recent-title" }, "Recent introductions"), list),
  );
  gql(RECENT)
    .then(({ introductions }) =>
      replace(
        list,
        introductions.edges.length
          ? introductions.edges.map(({ node }) =>
              h("li", {}, h("a", { href: `#/timeline/${node.id}` }, `${node.requester.displayName} and ${node.target.displayName}`), " ", statusBadge(node.status), h("span", { class: "muted" }, ` · ${when(node.updatedAt)}`)),
            )
          : h("li", { class: "muted" }, "No introductions yet."),
      ),
    )
    .catch((error) => notes.show([{ kind: "error", text: error.message }]));
  return null;
}
