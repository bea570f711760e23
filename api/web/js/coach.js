// The reply coach beside a message being typed: `assessMessage` a moment after the last
// keystroke, its verdict in a polite live region and its findings under it.
import { gql } from "./api.js";
import { h, replace } from "./dom.js";
import { VERDICTS, reasonInWords } from "./words.js";

const ASSESS = `query Assess($text: String!, $introductionId: ID) {
  assessMessage(text: $text, introductionId: $introductionId) {
    verdict risk findings { reason evidence advice }
  }
}`;
export const COACH_DELAY_MS = 300;

// Reads `textarea` as it changes; returns the panel to place beside it.
export function replyCoach(textarea, introductionId) {
  const verdict = h("p", { class: "coach-verdict", "aria-live": "polite", "aria-atomic": "true" });
  const findings = h("ul", { class: "coach-findings" });
  const panel = h(
    "div",
    { class: "coach" },
    h("h4", {}, "Reply coach"),
    h("p", { class: "hint" }, "Reads your reply as you type: how likely it is to burn the introduction, and why."),
    verdict,
    findings,
  );
  // Only the newest request may draw: an older answer arriving late is dropped.
  let latest = 0;
  let inFlight = null;
  let timer = null;

  function say(node) {
    // The same words again would be announced again: leave the region alone.
    if (verdict.textContent !== node.textContent) replace(verdict, node);
  }

  function clear() {
    verdict.replaceChildren();
    findings.replaceChildren();
    delete panel.dataset.verdict;
  }

  function show({ verdict: v, risk, findings: found }) {
    const { label, mark } = VERDICTS[v] ?? { label: v, mark: "" };
    const count = found.length ? ` · ${found.length} finding${found.length === 1 ? "" : "s"}` : "";
    say(
      h(
        "span",
        {},
        h("span", { class: `badge verdict-${v.toLowerCase()}` }, h("span", { "aria-hidden": "true" }, `${mark} `), label),
        count,
        h("span", { class: "muted" }, ` (risk ${risk.toFixed(2)} of 1)`),
      ),
    );
    panel.dataset.verdict = v;
    replace(
      findings,
      found.map((f) =>
        h(
          "li",
          {},
          h("strong", {}, reasonInWords(f.reason)),
          f.evidence ? [": ", h("q", {}, f.evidence)] : null,
          h("span", { class: "advice" }, f.advice),
        ),
      ),
    );
  }

  function failed() {
    findings.replaceChildren();
    delete panel.dataset.verdict;
    say(h("span", { class: "coach-error" }, "The coach cannot read it just now; you can still record the reply."));
  }

  async function assess(text, request) {
    inFlight?.abort();
    inFlight = new AbortController();
    try {
      const data = await gql(ASSESS, { text, introductionId }, { signal: inFlight.signal });
      if (request === latest) show(data.assessMessage);
    } catch {
      if (request === latest) failed();
    }
  }

  textarea.addEventListener("input", () => {
    clearTimeout(timer);
    const request = ++latest;
    const text = textarea.value;
    if (!text.trim()) {
      inFlight?.abort();
      clear();
      return;
    }
    timer = setTimeout(() => assess(text, request), COACH_DELAY_MS);
  });
  return panel;
}
