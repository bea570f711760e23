// Introduce two people: find them, screen them first, write the context and guidelines.
import { errorInWords, gql } from "../api.js";
import { field, h, messages, replace } from "../dom.js";
import { personSearch } from "../people.js";
import { screeningPanel, statusBadge } from "../words.js";

const PROPOSE = `mutation Propose($input: ProposeIntroductionInput!) {
  proposeIntroduction(input: $input) {
    introduction { id status requester { displayName } target { displayName } }
    errors { code message field }
    warnings
  }
}`;

const GUIDELINES_HINT =
  "What you expect of them, e.g. “Learn what the other does before you write; offer before you ask.”";

export function render(container, viewer) {
  const chosen = { requester: null, target: null };
  const notes = messages();

  const slots = [];
  function slot(role, heading, hint) {
    const box = h("section", { class: "card slot", "aria-label": heading });
    const draw = () => {
      const person = chosen[role];
      if (!person) {
        const search = personSearch({
          label: heading,
          hint,
          exclude: (p) => p.id === viewer.me.id || Object.values(chosen).some((c) => c?.id === p.id),
          onChoose: (p) => {
            chosen[role] = p;
            draw();
            for (const other of slots) if (other !== box) other.refresh();
            box.querySelector("button.change")?.focus();
          },
        });
        replace(box, search);
        search.search();
        return;
      }
      replace(
        box,
        h("h2", { class: "slot-title" }, heading),
        h("p", { class: "person-name" }, person.displayName, person.organization ? h("span", { class: "muted" }, ` · ${person.organization}`) : null),
        person.offers.length ? h("p", { class: "tags" }, h("strong", {}, "Offers: "), person.offers.join(", ")) : null,
        person.needs.length ? h("p", { class: "tags" }, h("strong", {}, "Needs: "), person.needs.join(", ")) : null,
        screeningPanel(person),
        h("button", { type: "button", class: "secondary small change", onclick: () => ((chosen[role] = null), draw(), slots.forEach((other) => other.refresh())) }, `Change ${role}`),
      );
    };
    box.refresh = () => box.querySelector(".person-search")?.search();
    draw();
    slots.push(box);
    return box;
  }

  const context = h("textarea", { name: "context", rows: 4, maxlength: 4000, required: true });
  const guidelines = h("textarea", { name: "guidelines", rows: 3, maxlength: 4000 });
  const form = h(
    "form",
    {
      class: "card propose",
      onsubmit: async (e) => {
        e.preventDefault();
        if (!chosen.requester || !chosen.target) {
          notes.show([{ kind: "error", text: "Choose both people first." }]);
          return;
        }
        if (!context.value.trim()) {
          notes.show([{ kind: "error", text: "Say why these two should meet: the context is required." }]);
          context.focus();
          return;
        }
        try {
          const { proposeIntroduction: payload } = await gql(PROPOSE, {
            input: {
              requesterId: chosen.requester.id,
              targetId: chosen.target.id,
              context: context.value,
              guidelines: guidelines.value || null,
            },
          });
          const intro = payload.introduction;
          notes.show([
            ...payload.errors.map((err) => ({ kind: "error", text: errorInWords(err) })),
            ...payload.warnings.map((w) => ({ kind: "warning", text: `Heads-up about ${chosen.requester.displayName}: ${w}` })),
          ]);
          if (intro) {
            notes.prepend(
              h(
                "p",
                { class: "notice success", role: "status" },
                `Proposed: ${intro.requester.displayName} and ${intro.target.displayName}. `,
                statusBadge(intro.status),
                " ",
                h("a", { href: "#/introductions" }, "See my introductions"),
              ),
            );
            context.value = "";
            guidelines.value = "";
          }
        } catch (error) {
          notes.show([{ kind: "error", text: error.message }]);
        }
      },
    },
    h("h2", {}, "The introduction"),
    field("Context: why should they meet?", context, "Both people see this. Say what each could give the other."),
    field("Guidelines (optional)", guidelines, GUIDELINES_HINT),
    notes,
    h("button", { type: "submit" }, "Propose the introduction"),
  );

  replace(
    container,
    h("div", { class: "screen-head" }, h("h1", {}, "Introduce two people"), h("p", { class: "lead" }, "Screen first: see how each has treated introductions before you spend your capital on them.")),
    h(
      "div",
      { class: "pair" },
      slot("requester", "Who asked to be introduced", "The requester: the person who wants to meet someone."),
      slot("target", "Whom they will meet", "The target: the person they are introduced to."),
    ),
    form,
  );
  return null;
}
