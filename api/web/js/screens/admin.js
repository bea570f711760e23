// Admin: register people, issue tokens (shown once), webhooks and their deliveries.
import { errorInWords, gql } from "../api.js";
import { field, h, messages, replace, select, shownOnce, when } from "../dom.js";
import { personSearch } from "../people.js";
import { EVENT_TYPES } from "../words.js";

const REGISTER = `mutation Register($input: RegisterPersonInput!) {
  registerPerson(input: $input) { person { id displayName } errors { code message field } }
}`;
const ISSUE = `mutation Issue($personId: ID!, $expiresInSeconds: Int) {
  issueToken(personId: $personId, expiresInSeconds: $expiresInSeconds) {
    token tokenId expiresAt errors { code message field }
  }
}`;
const WEBHOOKS = `{ webhooks { id url eventTypes active createdAt } }`;
const REGISTER_WEBHOOK = `mutation Hook($input: RegisterWebhookInput!) {
  registerWebhook(input: $input) { registration { secret webhook { id url } } errors { code message field } }
}`;
const DELIVERIES = `query Deliveries($id: ID!) {
  webhookDeliveries(webhookId: $id, first: 50) {
    id eventType status attempts lastStatusCode lastError nextAttemptAt deliveredAt
  }
}`;
const REDELIVER = `mutation Redeliver($id: ID!) {
  redeliverWebhookDelivery(id: $id) { delivery { id status } errors { code message field } }
}`;
const SET_ACTIVE = (active) => `mutation Toggle($id: ID!) {
  ${active ? "reactivateWebhook" : "deactivateWebhook"}(id: $id) { webhook { id active } errors { code message field } }
}`;

const EXPIRIES = [
  ["", "Never"],
  [String(30 * 86400), "In 30 days"],
  [String(90 * 86400), "In 90 days"],
  [String(365 * 86400), "In a year"],
];

const words = (errors) => errors.map((e) => ({ kind: "error", text: errorInWords(e) }));
const list = (text) => text.split(",").map((s) => s.trim()).filter(Boolean);

export function render(container) {
  replace(
    container,
    h("div", { class: "screen-head" }, h("h1", {}, "Admin")),
    h("div", { class: "two-columns" }, registerPerson(), issueTokens()),
    webhooks(),
  );
  return null;
}

function registerPerson() {
  const notes = messages();
  const form = h(
    "form",
    {
      class: "card",
      "aria-labelledby": "register-title",
      onsubmit: async (e) => {
        e.preventDefault();
        const input = {
          displayName: form.displayName.value.trim(),
          organization: form.organization.value.trim() || null,
          offers: list(form.offers.value),
          needs: list(form.needs.value),
        };
        try {
          const { registerPerson: payload } = await gql(REGISTER, { input });
          if (payload.person) {
            notes.show([{ kind: "success", text: `Registered ${payload.person.displayName}. Issue their token beside.` }]);
            form.reset();
            form.displayName.focus();
          } else notes.show(words(payload.errors));
        } catch (error) {
          notes.show([{ kind: "error", text: error.message }]);
        }
      },
    },
    h("h2", { id: "register-title" }, "Register a person"),
    field("Display name", h("input", { name: "displayName", required: true, maxlength: 200, autocomplete: "off" })),
    field("Organisation (optional)", h("input", { name: "organization", autocomplete: "off" })),
    field("Offers (optional)", h("input", { name: "offers", autocomplete: "off" }), "Talents, separated by commas."),
    field("Needs (optional)", h("input", { name: "needs", autocomplete: "off" }), "What they look for, separated by commas."),
    notes,
    h("button", { type: "submit" }, "Register"),
  );
  return form;
}

function issueTokens() {
  const notes = messages();
  const result = h("div", {});
  const box = h("section", { class: "card", "aria-labelledby": "tokens-title" });
  const expiry = select("expiry", EXPIRIES, "");
  const search = personSearch({
    label: "Find the person",
    action: "Issue token",
    onChoose: async (person) => {
      notes.clear();
      try {
        const seconds = expiry.value ? Number(expiry.value) : null;
        const { issueToken: payload } = await gql(ISSUE, { personId: person.id, expiresInSeconds: seconds });
        if (!payload.token) {
          notes.show(words(payload.errors));
          return;
        }
        const expires = payload.expiresAt ? `It expires ${when(payload.expiresAt)}.` : "It does not expire.";
        replace(
          result,
          shownOnce(
            `Token for ${person.displayName}`,
            payload.token,
            `Copy it now and give it to ${person.displayName}: it cannot be shown again. ${expires} Its id, for revoking it: ${payload.tokenId}.`,
          ),
        );
        result.querySelector("input").focus();
      } catch (error) {
        notes.show([{ kind: "error", text: error.message }]);
      }
    },
  });
  replace(
    box,
    h("h2", { id: "tokens-title" }, "Issue a token"),
    field("Expires", expiry),
    search,
    notes,
    result,
  );
  search.search();
  return box;
}

function webhooks() {
  const notes = messages();
  const table = h("div", {});
  const secret = h("div", {});
  const checkboxes = EVENT_TYPES.map((type) =>
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "eventTypes", value: type }), type),
  );
  const form = h(
    "form",
    {
      class: "inline-form",
      onsubmit: async (e) => {
        e.preventDefault();
        const chosen = checkboxes.map((l) => l.firstChild).filter((c) => c.checked).map((c) => c.value);
        const input = {
          url: form.url.value.trim(),
          eventTypes: chosen.length ? chosen : null,
          description: form.description.value.trim() || null,
        };
        try {
          const { registerWebhook: payload } = await gql(REGISTER_WEBHOOK, { input });
          if (!payload.registration) {
            notes.show(words(payload.errors));
            return;
          }
          notes.clear();
          replace(secret, shownOnce("Signing secret", payload.registration.secret, `Configure it on ${payload.registration.webhook.url} to verify signatures.`));
          form.reset();
          draw();
        } catch (error) {
          notes.show([{ kind: "error", text: error.message }]);
        }
      },
    },
    field("Endpoint URL", h("input", { name: "url", type: "url", required: true, placeholder: "https://example.com/hooks" })),
    field("Description (optional)", h("input", { name: "description" })),
    h("fieldset", { class: "checks" }, h("legend", {}, "Event types (none chosen: all)"), checkboxes),
    h("button", { type: "submit" }, "Register the webhook"),
  );

  async function draw() {
    try {
      const { webhooks: hooks } = await gql(WEBHOOKS);
      replace(
        table,
        hooks.length
          ? hooks.map((hook) => webhookRow(hook, notes, draw))
          : h("p", { class: "muted" }, "No webhooks yet."),
      );
    } catch (error) {
      notes.show([{ kind: "error", text: error.message }]);
    }
  }
  draw();
  return h(
    "section",
    { class: "card", "aria-labelledby": "webhooks-title" },
    h("h2", { id: "webhooks-title" }, "Webhooks"),
    form,
    secret,
    notes,
    table,
  );
}

function webhookRow(hook, notes, redraw) {
  const deliveries = h("div", { class: "deliveries", hidden: true, id: `deliveries-${hook.id}` });
  const toggle = h("button", { type: "button", class: "secondary small", "aria-expanded": "false", "aria-controls": deliveries.id }, "Deliveries");
  async function drawDeliveries() {
    const { webhookDeliveries: rows } = await gql(DELIVERIES, { id: hook.id });
    replace(
      deliveries,
      rows.length
        ? h(
            "table",
            {},
            h("thead", {}, h("tr", {}, ["Event", "Status", "Attempts", "Last answer", "Next attempt", "Delivered", ""].map((t) => h("th", { scope: "col" }, t)))),
            h(
              "tbody",
              {},
              rows.map((d) =>
                h(
                  "tr",
                  {},
                  h("td", {}, d.eventType),
                  h("td", {}, h("span", { class: `badge delivery-${d.status.toLowerCase()}` }, d.status.toLowerCase())),
                  h("td", {}, String(d.attempts)),
                  h("td", {}, d.lastStatusCode ? String(d.lastStatusCode) : d.lastError ?? ""),
                  h("td", {}, when(d.nextAttemptAt)),
                  h("td", {}, when(d.deliveredAt)),
                  h("td", {}, h("button", { type: "button", class: "secondary small", onclick: () => redeliver(d) }, "Redeliver")),
                ),
              ),
            ),
          )
        : h("p", { class: "muted" }, "No deliveries yet."),
    );
  }
  async function redeliver(delivery) {
    const { redeliverWebhookDelivery: payload } = await gql(REDELIVER, { id: delivery.id });
    notes.show(payload.delivery ? [{ kind: "success", text: `Delivery of ${delivery.eventType} scheduled again.` }] : words(payload.errors));
    await drawDeliveries();
  }
  toggle.addEventListener("click", async () => {
    deliveries.hidden = !deliveries.hidden;
    toggle.setAttribute("aria-expanded", String(!deliveries.hidden));
    if (!deliveries.hidden) await drawDeliveries().catch((error) => notes.show([{ kind: "error", text: error.message }]));
  });
  const activeButton = h(
    "button",
    {
      type: "button",
      class: "secondary small",
      onclick: async () => {
        const data = await gql(SET_ACTIVE(!hook.active), { id: hook.id });
        const payload = Object.values(data)[0];
        if (payload.errors.length) notes.show(words(payload.errors));
        redraw();
      },
    },
    hook.active ? "Deactivate" : "Reactivate",
  );
  return h(
    "article",
    { class: "webhook" },
    h(
      "div",
      { class: "webhook-head" },
      h("code", {}, hook.url),
      h("span", { class: `badge ${hook.active ? "screening-clear" : "status-declined"}` }, hook.active ? "Active" : "Inactive"),
      h("span", { class: "muted" }, hook.eventTypes.length ? hook.eventTypes.join(", ") : "all events"),
      h("span", { class: "muted" }, `since ${when(hook.createdAt)}`),
      toggle,
      activeButton,
    ),
    deliveries,
  );
}
