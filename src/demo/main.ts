// The demo page: settings, training with live charts, prediction, checkpoints (download, load,
// kept in IndexedDB) and the kernel benchmark, all on WebGPU in this tab through the public
// API (src/lib/). Each panel is its own module over the one state object made here.
import './style.css';
import { WEBGPU_HELP } from '../lib/index.ts';
import { createDemo, showAdapter, type Demo } from './demo.ts';
import { $, isNoWebGpu } from './dom.ts';
import { wireBenchPanel } from './panels/bench.ts';
import { showSaved, wireCheckpointsPanel } from './panels/checkpoints.ts';
import { syncTask, wirePairsPanel } from './panels/pairs.ts';
import { wirePredictPanel } from './panels/predict.ts';
import { wireTrainPanel } from './panels/train.ts';
import { createDemoState } from './state.ts';

const demo = createDemo(createDemoState());
catchPageErrors(demo);
wireTrainPanel(demo, wireCheckpointsPanel(demo));
wirePairsPanel(demo);
wirePredictPanel(demo);
wireBenchPanel(demo);
void init(demo);

/** Any error nobody caught is shown in the page (never console-only); WebGPU problems get the banner. */
function catchPageErrors(demo: Demo): void {
  const show = (err: unknown) => {
    const message = String(err instanceof Error ? err.message : err);
    if (isNoWebGpu(err)) return demo.showNoWebGpu(message);
    // A benign browser notice (layout changed while observers ran), not a failure.
    if (message.startsWith('ResizeObserver loop')) return;
    const el = $('page-error');
    el.textContent = `Something went wrong: ${message}`;
    el.hidden = false;
  };
  window.addEventListener('error', (e) => show(e.error ?? e.message));
  window.addEventListener('unhandledrejection', (e) => show(e.reason));
}

/** Shows the adapter (or why there is none) and the kept checkpoint, then marks the page ready. */
async function init(demo: Demo): Promise<void> {
  demo.render();
  syncTask(demo);
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  try {
    const adapter = gpu ? await gpu.requestAdapter({ powerPreference: 'high-performance' }) : undefined;
    if (adapter === undefined) demo.showNoWebGpu(WEBGPU_HELP);
    else if (!adapter) demo.showNoWebGpu(`No WebGPU adapter was found. ${WEBGPU_HELP}`);
    else {
      const info = adapter.info;
      const isFallbackAdapter = Boolean((info as { isFallbackAdapter?: boolean }).isFallbackAdapter);
      showAdapter({ vendor: info.vendor, architecture: info.architecture, description: info.description, isFallbackAdapter });
    }
  } catch (err) {
    demo.showNoWebGpu(`${err instanceof Error ? err.message : String(err)} ${WEBGPU_HELP}`);
  }
  await showSaved(demo);
  document.body.dataset.ready = 'true';
}
