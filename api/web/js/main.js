// The shell: sign-in with a pasted token, the navigation, and a hash router.
import { ApiError, gql, session } from "./api.js";
import { announce, field, h, messages, replace } from "./dom.js";
import { startLive, stopLive } from "./live.js";
import * as admin from "./screens/admin.js";
import * as introduce from "./screens/introduce.js";
import * as introductions from "./screens/introductions.js";
import * as reputation from "./screens/reputation.js";
import * as timeline from "./screens/timeline.js";

const SCREENS = [
  { path: "introductions", title: "My introductions", module: introductions, who: "all" },
  { path: "introduce", title: "Introduce two people", module: introduce, who: "person" },
  { path: "reputation", title: "Reputation", module: reputation, who: "all" },
  { path: "timeline", title: "Timeline", module: timeline, who: "all" },
  { path: "admin", title: "Admin", module: admin, who: "admin" },
];

const main = document.getElementById("main");
const nav = document.getElementById("nav");
const account = document.getElementById("account");
let viewer = null; // { me: Person | null, isAdmin: boolean }
let current = null; // the shown screen's { dispose }

// The admin is no party to any introduction, and reads them all.
const titleOf = (screen) => (screen.path === "introductions" && viewer.isAdmin ? "All introductions" : screen.title);

const allowed = (screen) =>
  screen.who === "all" || (screen.who === "admin" ? viewer.isAdmin : !viewer.isAdmin);

function route() {
  const [path = "", ...rest] = window.location.hash.replace(/^#\/?/, "").split("/");
  const screen = SCREENS.find((s) => s.path === path && allowed(s)) ?? SCREENS[0];
  return { screen, params: rest.map(decodeURIComponent) };
}

function show() {
  if (!viewer) return;
  current?.dispose?.();
  const { screen, params } = route();
  for (const link of nav.querySelectorAll("a")) {
    if (link.dataset.path === screen.path) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  document.title = `${titleOf(screen)} · Introductions`;
  const container = h("div", { class: "screen" });
  replace(main, container);
  current = screen.module.render(container, { ...viewer, params }) ?? null;
  main.focus({ preventScroll: true });
}

function liveIndicator() {
  const dot = h("span", { class: "live-state", "data-state": "connecting" }, "Connecting…");
  const words = { live: "Live", offline: "Offline: retrying", connecting: "Connecting…" };
  dot.setState = (state) => {
    dot.dataset.state = state;
    dot.textContent = words[state];
  };
  return dot;
}

function signedIn() {
  replace(
    nav,
    SCREENS.filter(allowed).map((s) => h("a", { href: `#/${s.path}`, "data-path": s.path }, titleOf(s))),
  );
  const live = liveIndicator();
  const name = viewer.isAdmin ? "Admin" : viewer.me.displayName;
  replace(
    account,
    live,
    h("span", { class: "who" }, name),
    h("button", { type: "button", class: "secondary small", onclick: () => signOut() }, "Sign out"),
  );
  nav.hidden = false;
  account.hidden = false;
  startLive(live.setState);
  show();
}

function signOut(reason) {
  session.forget();
  stopLive();
  current?.dispose?.();
  current = null;
  viewer = null;
  nav.hidden = true;
  account.hidden = true;
  signInScreen(reason);
}

function signInScreen(reason) {
  document.title = "Sign in · Introductions";
  const input = h("input", { type: "password", name: "token", autocomplete: "off", spellcheck: "false", required: true });
  const notes = messages();
  const form = h(
    "form",
    {
      class: "card sign-in",
      onsubmit: async (event) => {
        event.preventDefault();
        const token = input.value.trim();
        if (!token) {
          notes.show([{ kind: "error", text: "Paste your access token first." }]);
          return;
        }
        session.remember(token);
        try {
          await begin();
        } catch (error) {
          session.forget();
          notes.show([{ kind: "error", text: error.message }]);
        }
      },
    },
    h("h1", {}, "Sign in"),
    h(
      "p",
      {},
      "Paste the access token your admin gave you. It stays in this browser tab only and is forgotten when you sign out or close the tab.",
    ),
    field("Access token", input),
    notes,
    h("button", { type: "submit" }, "Sign in"),
  );
  replace(main, h("div", { class: "screen narrow" }, form));
  if (reason) notes.show([{ kind: "error", text: reason }]);
  input.focus();
}

async function begin() {
  let data;
  try {
    data = await gql("{ me { id displayName organization } }");
  } catch (error) {
    if (error instanceof ApiError && error.code === "UNAUTHENTICATED") {
      throw new Error("This token was not accepted: it is unknown, revoked or expired.");
    }
    throw error;
  }
  viewer = { me: data.me, isAdmin: data.me === null };
  announce(`Signed in as ${viewer.isAdmin ? "the admin" : viewer.me.displayName}`);
  signedIn();
}

window.addEventListener("hashchange", show);
window.addEventListener("unauthenticated", () => {
  if (viewer) signOut("Your token is no longer accepted (revoked or expired). Sign in again.");
});

if (session.token()) {
  begin().catch((error) => signOut(error.message));
} else {
  signInScreen();
}
