// Node module hooks: `import code from './x.wgsl?raw'` gives the file's text, as Vite
// does in the browser, so the Node runtime imports the same GPU modules unchanged.
import { readFile } from 'node:fs/promises';

export async function load(url, context, nextLoad) {
  const u = new URL(url);
  if (u.protocol === 'file:' && u.search === '?raw') {
    const text = await readFile(u, 'utf8');
    return { format: 'module', source: `export default ${JSON.stringify(text)};`, shortCircuit: true };
  }
  return nextLoad(url, context);
}
