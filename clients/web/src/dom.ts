// A few DOM helpers: elements are built with createElement and text nodes, never innerHTML, so
// text from the server can never become markup.

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | boolean | number | EventListener | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Array<Child | Child[]>
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (value === true) el.setAttribute(name, "");
    else if (value !== undefined && value !== false) el.setAttribute(name, String(value));
  }
  for (const child of children.flat()) if (child) el.append(child);
  return el;
}

let counter = 0;
/** A document-unique id for aria-labelledby / aria-describedby inside one shadow root. */
export const uid = (prefix: string) => `${prefix}-${++counter}`;

/** Shared look, themable from the host page through CSS custom properties (README "Widget"). */
export const BASE_CSS = `
:host{display:block;font-family:var(--candor-font,system-ui,sans-serif);color:var(--candor-text,#1b1b1b);line-height:1.45}
*{box-sizing:border-box}
button,input,select,textarea{font:inherit}
button{cursor:pointer;border:1px solid var(--candor-accent,#0b57d0);background:var(--candor-button-bg,#fff);color:var(--candor-accent,#0b57d0);border-radius:var(--candor-radius,6px);padding:.35em .8em;margin:.15em 0}
button.primary{background:var(--candor-accent,#0b57d0);color:var(--candor-on-accent,#fff)}
button:disabled{cursor:default;opacity:1;border-color:#767676;color:#4a4a4a}
:focus-visible{outline:3px solid var(--candor-focus,#b35c00);outline-offset:2px}
h2,h3{margin:.6em 0 .3em;line-height:1.25}
h2{font-size:1.25em}h3{font-size:1.05em}
ul{padding-left:1.2em;margin:.3em 0}
.muted{color:var(--candor-muted,#4d4d4d)}
.err{color:var(--candor-error,#b3261e)}
.ok{color:var(--candor-success,#1e6b34)}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
.box{border:1px solid var(--candor-border,#8a8a8a);border-radius:var(--candor-radius,6px);padding:.8em 1em;margin:.6em 0;background:var(--candor-bg,#fff)}
`;
