// The page's elements by id, and the one way messages reach the page (never console-only).
import { Seq2SeqError, WEBGPU_HELP } from '../lib/index.ts';

export const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`The page has no #${id}.`);
  return el as T;
};

export const text = (id: string, value: string): void => {
  $(id).textContent = value;
};

/** A message in `where`, as plain text. */
export function say(where: string, message: string): void {
  text(where, message);
  $(where).classList.remove('error-text');
}

/** An error's one sentence in `where`, marked as an error. */
export function sayError(where: string, err: unknown): void {
  text(where, err instanceof Error ? err.message : String(err));
  $(where).classList.add('error-text');
}

/** True for the errors that mean this browser has no usable WebGPU (the banner's business). */
export const isNoWebGpu = (err: unknown): err is Seq2SeqError => err instanceof Seq2SeqError && err.code === 'webgpu_unavailable';

export { WEBGPU_HELP };

export const fmt = (x: number, digits = 3): string => (Number.isFinite(x) ? x.toFixed(digits) : '–');

/** Appends a cell of `value` to `tr`. */
export function cell(tr: HTMLTableRowElement, value: string, cls = ''): void {
  const td = document.createElement('td');
  td.textContent = value;
  if (cls) td.className = cls;
  tr.append(td);
}

/** The value of the settings form's field `key`. */
export const fieldValue = (key: string): string => (document.querySelector(`[name="${key}"]`) as HTMLSelectElement | null)?.value ?? '';
