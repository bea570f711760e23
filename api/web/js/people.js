// Finding people by name or organisation with `people(search:)`.
import { gql } from "./api.js";
import { debounce, field, h, replace, uid } from "./dom.js";
import { screeningBadge } from "./words.js";

export const PERSON_FIELDS = `id displayName organization offers needs
  trackRecord { screening reasons introductionsAsParty burnsBlamed ghosted }`;

const SEARCH = `query People($search: String, $after: String) {
  people(search: $search, first: 8, after: $after) {
    edges { node { ${PERSON_FIELDS} } }
    totalCount
  }
}`;

export async function findPeople(search) {
  const data = await gql(SEARCH, { search: search || null });
  return { people: data.people.edges.map((e) => e.node), total: data.people.totalCount };
}

// A search box whose results are buttons; choosing one calls onChoose(person).
export function personSearch({ label, hint, exclude = () => false, onChoose, action = "Choose" }) {
  const input = h("input", { type: "search", autocomplete: "off", placeholder: "Name or organisation" });
  const results = h("ul", { class: "results", id: uid("results"), "aria-live": "polite" });
  input.setAttribute("aria-controls", results.id);
  async function search() {
    try {
      const { people, total } = await findPeople(input.value.trim());
      const shown = people.filter((p) => !exclude(p));
      replace(
        results,
        shown.length
          ? shown.map((p) =>
              h(
                "li",
                {},
                // The action comes first so that the name a screen reader says ("Choose
                // Jim Acme") is the visible text; CSS shows it at the end of the row.
                h(
                  "button",
                  { type: "button", class: "result", onclick: () => onChoose(p) },
                  h("span", { class: "choose" }, action),
                  h("span", { class: "name" }, p.displayName),
                  p.organization ? h("span", { class: "muted" }, p.organization) : null,
                  p.trackRecord.screening === "CLEAR" ? null : screeningBadge(p.trackRecord.screening),
                ),
              ),
            )
          : h("li", { class: "muted" }, "Nobody matches."),
        total > people.length ? h("li", { class: "muted" }, `${total - people.length} more: refine the search.`) : null,
      );
    } catch (error) {
      replace(results, h("li", { class: "notice error", role: "alert" }, error.message));
    }
  }
  input.addEventListener("input", debounce(search, 250));
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      search();
    }
  });
  const box = h("div", { class: "person-search" }, field(label, input, hint), results);
  box.search = search;
  box.input = input;
  return box;
}
