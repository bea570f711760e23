// The domain's names, as a person says them.
import { h } from "./dom.js";

export const STATUS = {
  PROPOSED: "Waiting for consent",
  CONSENTED: "Introduced",
  REPLIED: "Replied",
  RELATIONSHIP_FORMED: "Relationship formed",
  BURNED: "Burned",
  DECLINED: "Declined",
  EXPIRED: "Expired",
};
export const OPEN_STATUSES = ["PROPOSED", "CONSENTED", "REPLIED"];

export const BURN_REASONS = [
  ["TRANSACTIONAL_ASK", "Transactional ask: “what can you do for me”"],
  ["NO_RESEARCH", "No research: did not learn who the other is"],
  ["CANNED_MESSAGE", "Canned message: a form letter"],
  ["UNRESPONSIVE", "Unresponsive: never answered"],
  ["MISUSED_CONTACT", "Misused the contact"],
  ["OTHER", "Other"],
];
// "Transactional ask", the words before the colon.
export const reasonInWords = (reason) =>
  BURN_REASONS.find(([value]) => value === reason)?.[1].split(":")[0] ?? reason;

// The reply coach's verdicts: words and a mark, never a colour alone.
export const VERDICTS = {
  LIKELY_BURN: { label: "Likely to burn the introduction", mark: "✕" },
  NEEDS_WORK: { label: "Needs work", mark: "!" },
  GOOD: { label: "Good to send", mark: "✓" },
};

export const BURN_CAUSES = [
  ["SKILL", "Lack of skill: did not know how"],
  ["CARING", "Lack of caring"],
  ["UNKNOWN", "Cannot tell"],
];

export const EVENT_TYPES = [
  "IntroductionProposed",
  "ConsentGiven",
  "ConsentDeclined",
  "ReplyRecorded",
  "RelationshipFormed",
  "IntroductionBurned",
  "IntroductionExpired",
];
const EVENT_VERBS = {
  IntroductionProposed: "proposed the introduction",
  ConsentGiven: "consented",
  ConsentDeclined: "declined",
  ReplyRecorded: "recorded a reply",
  RelationshipFormed: "recorded a relationship formed",
  IntroductionBurned: "burned the introduction",
  IntroductionExpired: "expired it: nobody followed up in time",
};
export const eventInWords = (type, actorName) =>
  `${actorName ?? "The system"} ${EVENT_VERBS[type] ?? type}`;

export const SCREENING = {
  CLEAR: "Clear",
  CAUTION: "Caution",
  AVOID: "Avoid",
};

export function statusBadge(status) {
  return h("span", { class: `badge status-${status.toLowerCase()}` }, STATUS[status] ?? status);
}

export function screeningBadge(screening) {
  return h(
    "span",
    { class: `badge screening-${screening.toLowerCase()}` },
    `${SCREENING[screening] ?? screening}`,
  );
}

// A person's screening as a party: the badge and the reasons in words.
export function screeningPanel(person) {
  const record = person.trackRecord;
  return h(
    "div",
    { class: "screening" },
    h("p", { class: "screening-line" }, "Screening: ", screeningBadge(record.screening)),
    record.reasons.length
      ? h("ul", { class: "reasons" }, record.reasons.map((r) => h("li", {}, r)))
      : h("p", { class: "muted" }, "No burns and no ghosting on record."),
  );
}

export const personLabel = (p) => (p.organization ? `${p.displayName} (${p.organization})` : p.displayName);
