// wgsl-preprocessor ships no types and no entry point (no "main" or "exports"), so it is
// imported by its file. Its one export is a template-literal tag that keeps or drops
// `#if ${cond}` / `#elif ${cond}` / `#else` / `#endif` blocks.
declare module 'wgsl-preprocessor/wgsl-preprocessor.js' {
  export function wgsl(strings: readonly string[], ...values: unknown[]): string;
}
