// Small DOM helpers: the page builds its elements with h() instead of
// innerHTML, so no server text is ever parsed as markup.

/**
 * h creates an element. attrs: "on<event>" keys become listeners, boolean
 * true sets an empty attribute and false/null/undefined leave it out, and
 * value/checked/selected/disabled are set as properties (what the user sees).
 * Children may be strings, nodes, arrays or null.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, val] of Object.entries(attrs)) {
    if (key.startsWith("on") && typeof val === "function") {
      el.addEventListener(key.slice(2), val);
    } else if (key === "value" || key === "checked" || key === "selected" || key === "disabled") {
      el[key] = val;
    } else if (val === true) {
      el.setAttribute(key, "");
    } else if (val !== false && val !== null && val !== undefined) {
      el.setAttribute(key, String(val));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** clear removes every child of el. */
export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
}

/** uuid is a random v4 UUID. crypto.randomUUID exists only in secure
 * contexts; getRandomValues also works on a plain-http LAN address. */
export function uuid() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
