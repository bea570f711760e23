// Small helpers to build the DOM without innerHTML (text is always text).
let nextId = 0;
export const uid = (prefix = "f") => `${prefix}-${++nextId}`;

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "value" || key === "checked") el[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

// A labelled control: <div class="field"><label for=…>…</label>control<p hint></div>.
export function field(labelText, control, hint) {
  control.id ||= uid();
  const hintEl = hint ? h("p", { class: "hint", id: `${control.id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: control.id }, labelText), control, hintEl);
}

export function select(name, options, value) {
  return h(
    "select",
    { name },
    options.map(([v, label]) => h("option", { value: v, selected: v === value }, label)),
  );
}

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
export const when = (iso) => (iso ? timeFormat.format(new Date(iso)) : "");

// A live region of messages: errors are alerts, the rest are polite statuses.
export function messages() {
  const box = h("div", { class: "messages" });
  box.show = (items) => {
    replace(
      box,
      items.map(({ kind, text }) =>
        h("p", { class: `notice ${kind}`, role: kind === "error" ? "alert" : "status" }, text),
      ),
    );
  };
  box.clear = () => box.replaceChildren();
  return box;
}

export function announce(text) {
  const region = document.getElementById("announcer");
  region.textContent = "";
  setTimeout(() => (region.textContent = text), 50);
}

export async function copyText(input, said) {
  try {
    // A browser that asks the user for permission may never answer: fall back after 2 s.
    const refused = new Promise((_, reject) => setTimeout(reject, 2000));
    await Promise.race([navigator.clipboard.writeText(input.value), refused]);
  } catch {
    input.select();
    document.execCommand("copy");
  }
  said.textContent = "Copied to the clipboard.";
  setTimeout(() => (said.textContent = ""), 4000);
}

// A value shown once (a token, a webhook secret): read-only, with a copy button.
export function shownOnce(labelText, value, explanation) {
  const input = h("input", { type: "text", readonly: true, value, class: "secret", spellcheck: "false" });
  const said = h("span", { class: "copied", role: "status" });
  const button = h("button", { type: "button", class: "secondary", onclick: () => copyText(input, said) }, "Copy");
  return h(
    "div",
    { class: "shown-once" },
    h("p", {}, h("strong", {}, "Shown once. "), explanation),
    h("div", { class: "copy-row" }, field(labelText, input), button),
    said,
  );
}

export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
