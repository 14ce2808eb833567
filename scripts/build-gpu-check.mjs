// `npm run gpu-check`: builds dist/gpu-check/, a folder that runs the GPU check with nothing
// but a Node binary (no install, no network): one bundled script (esbuild, shaders inlined
// as text), Dawn for Node's native module, and on Linux Chromium's Vulkan loader and
// SwiftShader when this machine has them (so a machine without a GPU needs nothing else).
// With --run it then runs the check from the folder and prints its JSON.
import { build } from 'esbuild';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rawText } from './raw_text.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** --out DIR builds elsewhere (the tests build into a temporary folder). */
const OUT = process.argv.includes('--out') ? resolve(process.argv[process.argv.indexOf('--out') + 1]) : join(ROOT, 'dist', 'gpu-check');

function dawnNode() {
  const pkg = dirname(createRequire(import.meta.url).resolve('webgpu/package.json'));
  const arch = process.platform === 'darwin' ? 'universal' : process.arch;
  const path = join(pkg, 'dist', `${process.platform}-${arch}`, 'dawn.node');
  if (!existsSync(path)) throw new Error(`Dawn for Node has no build for ${process.platform}-${arch} (${path} is missing).`);
  return path;
}

/** Chromium's Vulkan loader and SwiftShader, copied when found (Linux). */
function copyVulkan() {
  if (process.platform !== 'linux') return [];
  const dirs = [process.env.CHROME_PATH && dirname(process.env.CHROME_PATH), '/usr/lib/chromium', '/usr/lib/chromium-browser', '/opt/google/chrome'].filter(Boolean);
  const dir = dirs.find((d) => existsSync(join(d, 'vk_swiftshader_icd.json')) && existsSync(join(d, 'libvk_swiftshader.so')));
  if (!dir) return [];
  const files = ['vk_swiftshader_icd.json', 'libvk_swiftshader.so', 'libvulkan.so.1'].filter((f) => existsSync(join(dir, f)));
  for (const f of files) copyFileSync(join(dir, f), join(OUT, f));
  return files.map((f) => join(dir, f));
}

function commit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
await build({
  entryPoints: [join(ROOT, 'src', 'gpucheck', 'main.ts')],
  outfile: join(OUT, 'gpu-check.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Only loaded when dawn.node is not beside the script (running from the repository).
  external: ['webgpu'],
  plugins: [rawText],
  legalComments: 'none',
  logLevel: 'warning',
});
copyFileSync(dawnNode(), join(OUT, 'dawn.node'));
const vulkan = copyVulkan();
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const webgpu = JSON.parse(readFileSync(createRequire(import.meta.url).resolve('webgpu/package.json'), 'utf8'));
writeFileSync(join(OUT, 'BUILD.json'), `${JSON.stringify({ project: pkg.name, version: pkg.version, commit: commit(), built: new Date().toISOString(), webgpu: webgpu.version, platform: `${process.platform}-${process.arch}`, vulkan_from: vulkan }, null, 2)}\n`);
writeFileSync(
  join(OUT, 'README.txt'),
  `seq2seq-webgpu GPU check (${process.platform}-${process.arch}). Copy this folder to the machine, then:

    node gpu-check.mjs                      # the adapter it finds (a GPU when there is one)
    node gpu-check.mjs --adapter hardware   # a GPU or an error
    node gpu-check.mjs --adapter software   # SwiftShader, on the CPU
    node gpu-check.mjs --steps 1000         # train the default model longer (default 300)

Needs Node >= 20 and nothing else here: no npm install, no network. It prints one JSON
object (progress on stderr) and exits 1 when a kernel disagrees with its float64 reference.
Linux: Dawn runs on Vulkan. A GPU needs its Vulkan driver (e.g. mesa-vulkan-drivers, or
NVIDIA's driver with its Vulkan ICD). ${vulkan.length ? 'This folder carries SwiftShader and a Vulkan loader, so a machine without a GPU needs nothing more.' : 'This folder has no SwiftShader: a machine without a GPU needs Chromium installed (its vk_swiftshader_icd.json) or VK_ICD_FILENAMES set to one.'}
`,
);
let bytes = 0;
for (const f of readdirSync(OUT)) bytes += statSync(join(OUT, f)).size;
process.stderr.write(`gpu-check: built ${OUT} (${readdirSync(OUT).join(', ')}; ${(bytes / 1e6).toFixed(1)} MB)\n`);
if (process.argv.includes('--run')) {
  const args = process.argv.slice(process.argv.indexOf('--run') + 1);
  const r = spawnSync(process.execPath, ['gpu-check.mjs', ...args], { cwd: OUT, stdio: 'inherit' });
  process.exitCode = r.status ?? 1;
}
