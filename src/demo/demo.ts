// What every panel is handed: the one state object, the settings form, the charts, and the
// page-wide rendering of buttons and messages that follows the state.
import type { AdapterSummary } from '../lib/index.ts';
import { LossChart, ScoreChart } from './charts.ts';
import { $, isNoWebGpu, sayError, text } from './dom.ts';
import { buildSettingsForm, type SettingsForm } from './form.ts';
import { isTraining, type DemoState } from './state.ts';

export interface Demo {
  state: DemoState;
  form: SettingsForm;
  lossChart: LossChart;
  scoreChart: ScoreChart;
  /** Enables and labels every control from the state. */
  render(): void;
  /** Shows any error in `where`; WebGPU problems get the banner instead. */
  report(where: string, err: unknown): void;
  /** The banner: this browser has no WebGPU. */
  showNoWebGpu(message: string): void;
}

export function createDemo(state: DemoState): Demo {
  const demo: Demo = {
    state,
    form: buildSettingsForm($('settings'), $('form-error')),
    lossChart: new LossChart($('loss-chart')),
    scoreChart: new ScoreChart($('score-chart')),
    render: () => render(state, demo.form),
    report: (where, err) => (isNoWebGpu(err) ? demo.showNoWebGpu(err.message) : sayError(where, err)),
    showNoWebGpu: (message) => {
      state.webgpu = false;
      text('no-webgpu-text', message);
      $('no-webgpu').hidden = false;
      text('adapter', 'none');
      demo.render();
    },
  };
  return demo;
}

function render(state: DemoState, form: SettingsForm): void {
  const { mode, webgpu, trainer } = state;
  const training = isTraining(state);
  const busy = training || mode === 'busy';
  const button = (id: string) => $<HTMLButtonElement>(id);
  button('start').disabled = !webgpu || busy;
  button('continue').disabled = !webgpu || busy || !trainer;
  button('pause').disabled = !(mode === 'training' || mode === 'paused');
  button('pause').textContent = mode === 'paused' ? 'Resume' : 'Pause';
  button('stop').disabled = !(mode === 'training' || mode === 'paused');
  button('predict').disabled = !trainer || mode === 'starting';
  button('download').disabled = !trainer || mode === 'starting';
  button('keep').disabled = !trainer || busy;
  $<HTMLInputElement>('load').disabled = !webgpu || busy;
  $('load-label').classList.toggle('disabled', !webgpu || busy);
  button('saved-load').disabled = !webgpu || busy;
  button('bench').disabled = !webgpu || state.benchRunning || training;
  $<HTMLSelectElement>('bench-mode').disabled = state.benchRunning;
  form.setDisabled(busy);
  text('state', mode);
  document.body.dataset.state = mode;
}

/** The adapter line: vendor · architecture · description, and whether it is a software fallback. */
export function showAdapter(a: Pick<AdapterSummary, 'vendor' | 'architecture' | 'description' | 'isFallbackAdapter'>): void {
  const parts = [a.vendor, a.architecture, a.description].filter((s) => s && s.length > 0);
  text('adapter', `${parts.join(' · ') || 'unnamed adapter'}${a.isFallbackAdapter ? ' (software fallback)' : ''}`);
}
