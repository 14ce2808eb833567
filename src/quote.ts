// Untrusted text inside an error sentence: quoted, control and bidi characters escaped
// (a message never moves the cursor or rings the bell), and long text cut short (a 1 MB
// token is not echoed whole). Pure: the page uses it too.

/** Characters shown as \uXXXX: C0/C1 controls, DEL, line/paragraph separators, bidi controls. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;

/** Longest text shown whole, in code points. */
export const QUOTE_MAX = 40;

/** `"text"`, escaped, and for long text its start, an ellipsis and its length. */
export function quote(text: string, max = QUOTE_MAX): string {
  const points = Array.from(text);
  const shown = points.length > max ? points.slice(0, max).join('') : text;
  const escaped = shown
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return points.length > max ? `"${escaped}…" (${points.length} characters)` : `"${escaped}"`;
}
