// Structural variants of one WGSL source through wgsl-preprocessor: a `.wgsl` file marks
// them with `#if ${NAME}` … `#elif ${NAME}` … `#else` … `#endif`, and a variant is the
// source with every NAME given a boolean. Nothing else is substituted: shapes travel in
// uniforms and sizes in override constants, so one text serves every shape.
import { wgsl } from 'wgsl-preprocessor/wgsl-preprocessor.js';

export type Defines = Readonly<Record<string, boolean>>;

/** A shader text and the name the pipeline cache keys it by. */
export interface ShaderVariant {
  /** `family` alone, or `family[A,B]` listing the defines that are true: exactly what changes the text. */
  name: string;
  code: string;
}

const PLACEHOLDER = /\$\{(\w+)\}/g;
const texts = new Map<string, string>();

/** The variant of `source` (shader family `family`) for `defines`; every placeholder needs a value. */
export function shaderVariant(family: string, source: string, defines: Defines = {}): ShaderVariant {
  const on = Object.keys(defines).filter((k) => defines[k]).sort();
  const name = on.length > 0 ? `${family}[${on.join(',')}]` : family;
  let code = texts.get(name);
  if (code === undefined) {
    code = preprocess(family, source, defines);
    texts.set(name, code);
  }
  return { name, code };
}

function preprocess(family: string, source: string, defines: Defines): string {
  const parts = source.split(PLACEHOLDER); // text, name, text, name, …, text
  const strings = parts.filter((_, i) => i % 2 === 0);
  const names = parts.filter((_, i) => i % 2 === 1);
  for (const [i, key] of names.entries()) {
    if (!(key in defines)) throw new Error(`${family}.wgsl: \${${key}} has no value (given: ${Object.keys(defines).join(', ') || 'none'}).`);
    if (!/#(el)?if\s*$/.test(strings[i])) throw new Error(`${family}.wgsl: \${${key}} may only follow #if or #elif.`);
  }
  for (const key of Object.keys(defines)) {
    if (!names.includes(key)) throw new Error(`${family}.wgsl has no \${${key}}.`);
  }
  return wgsl(strings, ...names.map((key) => defines[key]));
}
