// Reputation: the leaderboard, and an introducer's card (score, ranking score, outcomes)
// beside their own track record as a party.
import { gql } from "../api.js";
import { h, messages, replace } from "../dom.js";
import { onLiveEvent } from "../live.js";
import { PERSON_FIELDS, personSearch } from "../people.js";
import { screeningPanel } from "../words.js";

const REPUTATION_FIELDS = `score rankingScore proposed consented declined replied relationshipsFormed burned expired`;
const BOARD = `{ leaderboard(first: 20) { ${REPUTATION_FIELDS} introducer { id displayName organization } } }`;
const CARD = `query Card($id: ID!) {
  introducerReputation(introducerId: $id) { ${REPUTATION_FIELDS} }
  person(id: $id) { ${PERSON_FIELDS} }
}`;
const FINAL_EVENTS = new Set(["RelationshipFormed", "IntroductionBurned", "IntroductionExpired", "ConsentDeclined", "IntroductionProposed"]);

const fixed = (x) => x.toFixed(2);
const OUTCOMES = [
  ["proposed", "Proposed"],
  ["consented", "Consented"],
  ["declined", "Declined"],
  ["replied", "Replied"],
  ["relationshipsFormed", "Relationships formed"],
  ["burned", "Burned"],
  ["expired", "Expired"],
];

export function render(container, viewer) {
  let selected = viewer.params[0] ?? viewer.me?.id ?? null;
  const notes = messages();
  const board = h("section", { class: "card board", "aria-labelledby": "board-title" });
  const cardBox = h("section", { class: "card introducer-card", "aria-live": "polite", "aria-labelledby": "card-title" });

  async function drawBoard() {
    try {
      const { leaderboard } = await gql(BOARD);
      replace(
        board,
        h("h2", { id: "board-title" }, "Leaderboard"),
        h("p", { class: "hint" }, "Ordered by ranking score: the lower bound of the share of good outcomes, so one success does not outrank forty."),
        leaderboard.length
          ? h("div", { class: "table-wrap" }, h(
              "table",
              {},
              h("thead", {}, h("tr", {}, ["#", "Introducer", "Ranking", "Score", "Formed", "Burned"].map((t) => h("th", { scope: "col" }, t)))),
              h(
                "tbody",
                {},
                leaderboard.map((r, i) =>
                  h(
                    "tr",
                    { "aria-current": r.introducer.id === selected ? "true" : null },
                    h("td", {}, String(i + 1)),
                    h("th", { scope: "row" }, h("a", { href: `#/reputation/${r.introducer.id}` }, r.introducer.displayName)),
                    h("td", {}, fixed(r.rankingScore)),
                    h("td", {}, fixed(r.score)),
                    h("td", {}, String(r.relationshipsFormed)),
                    h("td", {}, String(r.burned)),
                  ),
                ),
              ),
            ))
          : h("p", { class: "muted" }, "No introducer has an outcome yet."),
      );
    } catch (error) {
      notes.show([{ kind: "error", text: error.message }]);
    }
  }

  async function drawCard() {
    if (!selected) {
      replace(cardBox, h("h2", { id: "card-title" }, "An introducer's card"), h("p", { class: "muted" }, "Choose someone on the leaderboard, or search below."));
      return;
    }
    try {
      const { introducerReputation: rep, person } = await gql(CARD, { id: selected });
      if (!rep || !person) {
        replace(cardBox, h("h2", { id: "card-title" }, "Not found"), h("p", {}, "Nobody has this id."));
        return;
      }
      replace(
        cardBox,
        h("h2", { id: "card-title" }, person.displayName, person.organization ? h("span", { class: "muted" }, ` · ${person.organization}`) : null),
        h(
          "div",
          { class: "scores" },
          h("div", { class: "score" }, h("span", { class: "big" }, fixed(rep.score)), h("span", {}, "Score"), h("span", { class: "hint" }, "(good + 1) / (good + bad + 2), older outcomes weigh less")),
          h("div", { class: "score" }, h("span", { class: "big" }, fixed(rep.rankingScore)), h("span", {}, "Ranking score"), h("span", { class: "hint" }, "how sure the record is good (Wilson lower bound)")),
        ),
        h("h3", {}, "Outcomes as introducer"),
        h("dl", { class: "counts" }, OUTCOMES.map(([key, label]) => h("div", { class: `count-${key}` }, h("dt", {}, label), h("dd", {}, String(rep[key]))))),
        h("h3", {}, "As a party to others' introductions"),
        screeningPanel(person),
      );
    } catch (error) {
      notes.show([{ kind: "error", text: error.message }]);
    }
  }

  const search = personSearch({
    label: "Find an introducer",
    action: "Show card",
    onChoose: (p) => {
      window.location.hash = `#/reputation/${p.id}`;
    },
  });

  const stopLive = onLiveEvent((event) => {
    if (FINAL_EVENTS.has(event.type)) {
      drawBoard();
      drawCard();
    }
  });

  replace(
    container,
    h("div", { class: "screen-head" }, h("h1", {}, "Reputation")),
    notes,
    h("div", { class: "two-columns reputation-layout" }, board, h("div", { class: "stack" }, cardBox, h("section", { class: "card", "aria-label": "Search" }, search))),
  );
  drawBoard();
  drawCard();
  return { dispose: stopLive };
}
