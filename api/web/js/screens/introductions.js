// My introductions: as introducer and as a party, by status, with the actions my role
// allows now, kept current by the live subscription.
import { errorInWords, gql } from "../api.js";
import { replyCoach } from "../coach.js";
import { announce, field, h, messages, replace, select, when } from "../dom.js";
import { onLiveEvent } from "../live.js";
import { BURN_CAUSES, BURN_REASONS, STATUS, eventInWords, statusBadge } from "../words.js";

export const INTRODUCTION_FIELDS = `id version status context guidelines proposedAt updatedAt
  introducer { id displayName organization }
  requester { id displayName organization }
  target { id displayName organization }
  consentedBy { id displayName }`;

const LIST = `query List($filter: IntroductionFilter, $after: String) {
  introductions(filter: $filter, first: 50, after: $after) {
    edges { node { ${INTRODUCTION_FIELDS} } }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}`;
const ONE = `query One($id: ID!) { introduction(id: $id) { ${INTRODUCTION_FIELDS} } }`;
const PAYLOAD = `introduction { ${INTRODUCTION_FIELDS} } errors { code message field } warnings`;

// The actions that take one optional text, in the order their buttons appear.
const TEXT_ACTIONS = [
  { action: "decline", toggle: "Decline", submit: "Decline the introduction", mutation: "declineIntroduction", argument: "reason", label: "Reason (optional)", rows: 2, limit: 2000, done: "You declined." },
  { action: "reply", toggle: "Record a reply", submit: "Record the reply", mutation: "recordReply", argument: "message", label: "Your reply", rows: 3, limit: 10000, hint: "What you wrote to the other person, kept in the record.", done: "Your reply is recorded.", coach: true },
  { action: "relationship", toggle: "Relationship formed", submit: "Record the relationship", mutation: "recordRelationshipFormed", argument: "note", label: "Note (optional)", rows: 2, limit: 2000, done: "The relationship is recorded." },
];

const ROLES = [
  ["all", "All"],
  ["introducer", "I introduced"],
  ["party", "I am a party"],
];

export function roleOf(intro, me) {
  if (!me) return null;
  if (intro.introducer.id === me.id) return "introducer";
  if (intro.requester.id === me.id) return "requester";
  if (intro.target.id === me.id) return "target";
  return null;
}

// What this person may do now, by the domain's table of transitions.
export function allowedActions(intro, me) {
  const role = roleOf(intro, me);
  const party = role === "requester" || role === "target";
  const open = intro.status === "CONSENTED" || intro.status === "REPLIED";
  const consented = intro.consentedBy.some((p) => p.id === me?.id);
  const actions = [];
  if (party && intro.status === "PROPOSED" && !consented) actions.push("consent", "decline");
  if (party && open) actions.push("reply");
  if (role && intro.status === "REPLIED") actions.push("relationship");
  if (role && open) actions.push("burn");
  return actions;
}

export function render(container, viewer) {
  const state = { role: viewer.isAdmin ? "all" : "all", status: "", cards: new Map(), shown: new Map() };
  const list = h("div", { class: "groups", "aria-live": "off" });
  const summary = h("p", { class: "muted", role: "status" });
  const more = h("button", { type: "button", class: "secondary", hidden: true }, "Show more");
  const notes = messages();
  let endCursor = null;

  const roleSelect = select("role", ROLES, state.role);
  const statusSelect = select("status", [["", "Any status"], ...Object.entries(STATUS)], "");
  const filters = h(
    "form",
    { class: "filters", onsubmit: (e) => e.preventDefault() },
    viewer.isAdmin ? null : field("Role", roleSelect),
    field("Status", statusSelect),
  );
  roleSelect.addEventListener("change", () => ((state.role = roleSelect.value), load()));
  statusSelect.addEventListener("change", () => ((state.status = statusSelect.value), load()));

  function filter() {
    const f = {};
    if (state.role === "introducer") f.introducerId = viewer.me.id;
    if (state.role === "party") f.personId = viewer.me.id;
    if (state.status) f.status = state.status;
    return f;
  }

  function matches(intro) {
    const role = roleOf(intro, viewer.me);
    if (state.role === "introducer" && role !== "introducer") return false;
    if (state.role === "party" && !(role === "requester" || role === "target")) return false;
    return !state.status || intro.status === state.status;
  }

  async function load(after = null) {
    if (!after) state.shown.clear();
    try {
      const data = await gql(LIST, { filter: filter(), after });
      for (const { node } of data.introductions.edges) state.shown.set(node.id, node);
      endCursor = data.introductions.pageInfo.endCursor;
      more.hidden = !data.introductions.pageInfo.hasNextPage;
      notes.clear();
    } catch (error) {
      notes.show([{ kind: "error", text: error.message }]);
    }
    draw();
  }
  more.addEventListener("click", () => load(endCursor));

  function cardFor(intro) {
    let card = state.cards.get(intro.id);
    if (!card) {
      card = introductionCard(intro, viewer, upsert);
      state.cards.set(intro.id, card);
    } else {
      card.update(intro);
    }
    return card;
  }

  function draw() {
    const groups = Object.keys(STATUS)
      .map((status) => [status, [...state.shown.values()].filter((i) => i.status === status)])
      .filter(([, intros]) => intros.length);
    const focused = document.activeElement;
    const sections = groups.map(([status, intros]) =>
      h(
        "section",
        { class: "group", "aria-label": STATUS[status] },
        h("h2", {}, STATUS[status], " ", h("span", { class: "count" }, String(intros.length))),
        intros.map(cardFor),
      ),
    );
    // Moving a card to its new group blurs what has focus in it: focus it again.
    replace(list, sections);
    const refocus = [...state.cards.values()].map((c) => c.takeFocus()).find(Boolean) ?? focused;
    if (refocus !== document.activeElement && refocus?.isConnected) refocus.focus();
    const n = state.shown.size;
    summary.textContent = n
      ? `${n} introduction${n === 1 ? "" : "s"}`
      : viewer.isAdmin
        ? "No introductions yet."
        : "No introductions here yet. Introduce two people, or wait to be introduced.";
  }

  function upsert(intro) {
    if (matches(intro)) state.shown.set(intro.id, intro);
    else state.shown.delete(intro.id);
    draw();
  }

  const stopLive = onLiveEvent(async (event) => {
    try {
      const { introduction } = await gql(ONE, { id: event.introductionId });
      if (!introduction) return;
      const known = state.shown.get(introduction.id);
      if (known && known.version >= introduction.version) return;
      upsert(introduction);
      const actor = [introduction.introducer, introduction.requester, introduction.target].find(
        (p) => p.id === event.actorId,
      );
      announce(`${eventInWords(event.type, actor?.displayName)}: ${introduction.requester.displayName} and ${introduction.target.displayName}.`);
    } catch {
      /* the next event or a reload shows it */
    }
  });

  replace(
    container,
    h("div", { class: "screen-head" }, h("h1", {}, viewer.isAdmin ? "All introductions" : "My introductions"), filters),
    notes,
    summary,
    list,
    more,
  );
  load();
  return { dispose: stopLive };
}

function introductionCard(initial, viewer, onChange) {
  let intro = initial;
  let actionsKey = "";
  const titleId = `intro-${intro.id}`;
  const head = h("div", { class: "card-head" });
  const body = h("div", { class: "card-body" });
  const actions = h("div", { class: "actions" });
  const notes = messages();
  const card = h("article", { class: "card intro", "aria-labelledby": titleId }, head, body, notes, actions);

  async function act(mutation, variables, done) {
    notes.clear();
    for (const button of card.querySelectorAll("button")) button.disabled = true;
    try {
      const data = await gql(mutation, { id: intro.id, expectedVersion: intro.version, ...variables });
      const payload = Object.values(data)[0];
      const shown = [
        ...payload.errors.map((e) => ({ kind: "error", text: errorInWords(e) })),
        ...payload.warnings.map((w) => ({ kind: "warning", text: `Heads-up: ${w}` })),
      ];
      if (payload.introduction) {
        shown.unshift({ kind: "success", text: done });
        onChange(payload.introduction);
      } else if (payload.errors.some((e) => e.code === "CONCURRENCY_CONFLICT")) {
        const fresh = await gql(ONE, { id: intro.id });
        if (fresh.introduction) onChange(fresh.introduction);
      }
      notes.show(shown);
    } catch (error) {
      notes.show([{ kind: "error", text: error.message }]);
    } finally {
      for (const button of card.querySelectorAll("button")) button.disabled = false;
    }
  }

  function update(next) {
    intro = next;
    const role = roleOf(intro, viewer.me);
    const roleWords = { introducer: "you introduced them", requester: "you asked for it", target: "you were introduced" };
    replace(
      head,
      h(
        "h3",
        { id: titleId },
        intro.requester.displayName,
        h("span", { class: "arrow", "aria-hidden": "true" }, " → "),
        h("span", { class: "visually-hidden" }, " to "),
        intro.target.displayName,
      ),
      statusBadge(intro.status),
    );
    const consented = intro.consentedBy.map((p) => p.displayName);
    replace(
      body,
      h(
        "p",
        { class: "meta" },
        `Introduced by ${intro.introducer.displayName}`,
        role ? ` · ${roleWords[role]}` : "",
        ` · updated ${when(intro.updatedAt)} · version ${intro.version}`,
      ),
      h("p", { class: "context" }, intro.context),
      intro.guidelines ? h("p", { class: "guidelines" }, h("strong", {}, "Guidelines: "), intro.guidelines) : null,
      intro.status === "PROPOSED"
        ? h("p", { class: "meta" }, consented.length ? `Consented so far: ${consented.join(", ")}` : "Neither has consented yet.")
        : null,
    );
    const allowed = allowedActions(intro, viewer.me);
    const key = allowed.join(",");
    if (key !== actionsKey || !actions.firstChild) {
      actionsKey = key;
      const open = openForms();
      replace(actions, actionButtons(allowed), h("a", { class: "timeline-link", href: `#/timeline/${intro.id}` }, "Timeline"));
      reopen(open);
    }
  }

  // A live update that changes the actions must not close a form someone is filling in.
  let pendingFocus = null;
  card.takeFocus = () => {
    const element = pendingFocus;
    pendingFocus = null;
    return element;
  };

  function openForms() {
    return [...actions.querySelectorAll("form:not([hidden])")].map((form) => ({
      id: form.id,
      values: [...form.elements].filter((e) => e.name).map((e) => [e.name, e.value]),
      focused: form.contains(document.activeElement) ? document.activeElement.name : null,
    }));
  }

  function reopen(open) {
    for (const { id, values, focused } of open) {
      const form = actions.querySelector(`form[id="${id}"]`);
      if (!form) continue;
      form.hidden = false;
      actions.querySelector(`[aria-controls="${id}"]`)?.setAttribute("aria-expanded", "true");
      for (const [name, value] of values) {
        const element = form.elements[name];
        if (!element) continue;
        element.value = value;
        element.dispatchEvent(new Event("input")); // the reply coach reads it again
      }
      if (focused) pendingFocus = form.elements[focused] ?? null;
    }
  }

  function disclosure(label, formBuilder) {
    const form = formBuilder();
    form.hidden = true;
    form.id = `${titleId}-${label.replace(/\W+/g, "-").toLowerCase()}`;
    const toggle = h(
      "button",
      {
        type: "button",
        class: "secondary",
        "aria-expanded": "false",
        "aria-controls": form.id,
        onclick: () => {
          form.hidden = !form.hidden;
          toggle.setAttribute("aria-expanded", String(!form.hidden));
          if (!form.hidden) form.querySelector("textarea, select, input")?.focus();
        },
      },
      label,
    );
    return [toggle, form];
  }

  function actionForm(submitLabel, controls, onsubmit, danger = false) {
    return h(
      "form",
      {
        class: "action-form",
        onsubmit: (e) => {
          e.preventDefault();
          onsubmit(e.target);
        },
      },
      controls,
      h("button", { type: "submit", class: danger ? "danger" : "" }, submitLabel),
    );
  }

  function actionButtons(allowed) {
    const parts = [];
    const buttons = h("div", { class: "action-buttons" });
    const forms = h("div", {});
    const add = ([toggle, form]) => (buttons.append(toggle), forms.append(form));
    if (allowed.includes("consent")) {
      buttons.append(
        h(
          "button",
          {
            type: "button",
            onclick: () => act(`mutation C($id: ID!, $expectedVersion: Int) { consentToIntroduction(id: $id, expectedVersion: $expectedVersion) { ${PAYLOAD} } }`, {}, "You consented."),
          },
          "Consent",
        ),
      );
    }
    for (const a of TEXT_ACTIONS.filter(({ action }) => allowed.includes(action))) {
      const text = h("textarea", { name: a.argument, rows: a.rows, maxlength: a.limit });
      const controls = a.coach
        ? h("div", { class: "with-coach" }, field(a.label, text, a.hint), replyCoach(text, intro.id))
        : field(a.label, text, a.hint);
      add(
        disclosure(a.toggle, () =>
          actionForm(a.submit, controls, () =>
            act(
              `mutation Act($id: ID!, $expectedVersion: Int, $text: String) { ${a.mutation}(id: $id, expectedVersion: $expectedVersion, ${a.argument}: $text) { ${PAYLOAD} } }`,
              { text: text.value || null },
              a.done,
            ),
          ),
        ),
      );
    }
    if (allowed.includes("burn")) {
      const role = roleOf(intro, viewer.me);
      const blameDefault = role === "requester" ? intro.target.id : intro.requester.id;
      add(
        disclosure("Burn…", () =>
          actionForm(
            "Burn the introduction",
            [
              field("Who misused it", select("blamed", [[intro.requester.id, intro.requester.displayName], [intro.target.id, intro.target.displayName]], blameDefault)),
              field("Reason", select("reason", BURN_REASONS, "TRANSACTIONAL_ASK")),
              field("Cause", select("cause", BURN_CAUSES, "UNKNOWN"), "Skill can be taught; a lack of caring is a reason not to introduce them again."),
              field("What happened (optional)", h("textarea", { name: "note", rows: 2, maxlength: 2000 })),
            ],
            (form) =>
              act(
                `mutation B($input: BurnIntroductionInput!) { burnIntroduction(input: $input) { ${PAYLOAD} } }`,
                {
                  input: {
                    id: intro.id,
                    expectedVersion: intro.version,
                    blamedPersonId: form.blamed.value,
                    reason: form.reason.value,
                    cause: form.cause.value,
                    note: form.note.value || null,
                  },
                },
                "The introduction is burned.",
              ),
            true,
          ),
        ),
      );
    }
    if (buttons.childElementCount) parts.push(buttons, forms);
    return parts;
  }

  update(initial);
  card.update = update;
  return card;
}
