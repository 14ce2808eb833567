// Types of raw_text.mjs for the TypeScript that imports it (src/export/bundle.ts).
import type { Plugin } from 'esbuild';
export declare const rawText: Plugin;
