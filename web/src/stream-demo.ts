// The streaming demo page (web/stream.html, issue 20): a character LM saved by `fused-rnn lm train` loads
// into fused-rnn/infer; each typed character is one stream step (state kept in wasm memory), the page shows
// the next-character distribution (top 5) and the step latency. Edits before the end replay the text with
// stepMany. Everything a test needs is mirrored in window.__fusedRnnStream.
import { loadInferenceModel, loadInferKernels, type InferenceModel, type ModelStream } from '../../src/infer/index.js';
import { Tokenizer } from '../../src/data/tokenizer.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

/** What the page shows, as plain data (read by test/web-stream.test.ts). */
const state = {
  ready: false,
  weights: 'float32' as 'float32' | 'int8',
  text: '',
  steps: 0,
  replays: 0,
  lastUs: 0,
  latenciesUs: [] as number[],
  top: [] as Array<{ char: string; p: number }>,
  probabilities: [] as number[],
  errors: [] as string[],
};
(window as unknown as { __fusedRnnStream: typeof state }).__fusedRnnStream = state;

const base = new URL(new URLSearchParams(location.search).get('model') ?? '../../runs/char-lm/', location.href);
let model: InferenceModel;
let stream: ModelStream;
let ids = new Map<string, number>();
let chars = new Map<number, string>();
const kernels = loadInferKernels();

function show(out: Float32Array): void {
  state.probabilities = Array.from(out);
  const order = state.probabilities.map((p, i) => [p, i] as const).filter(([, i]) => chars.has(i)).sort((a, b) => b[0] - a[0]).slice(0, 5);
  state.top = order.map(([p, i]) => ({ char: chars.get(i)!, p }));
  $('stream-top').replaceChildren(...state.top.map((t) => {
    const li = document.createElement('li');
    li.textContent = `${JSON.stringify(t.char)}  ${(100 * t.p).toFixed(1)} %`;
    return li;
  }));
  const sorted = state.latenciesUs.slice(-50).sort((a, b) => a - b);
  $('stream-latency').textContent = `${state.lastUs.toFixed(0)} µs`;
  $('stream-median').textContent = sorted.length ? `${sorted[Math.floor(sorted.length / 2)].toFixed(0)} µs` : '–';
  $('stream-steps').textContent = String(state.steps);
}

const idOf = (c: string) => ids.get(c) ?? 0; // unknown characters are id 0 (masked: the state carries over)

function step(c: string): Float32Array {
  const t0 = performance.now();
  const out = stream.step([idOf(c)]);
  state.lastUs = (performance.now() - t0) * 1000;
  state.latenciesUs.push(state.lastUs);
  state.steps++;
  return out;
}

function onInput(): void {
  const text = ($('stream-text') as HTMLTextAreaElement).value;
  let out: Float32Array | null = null;
  if (text.startsWith(state.text)) {
    for (const c of text.slice(state.text.length)) out = step(c);
  } else {
    // An edit inside the text: start over and replay it in one chunk.
    stream.reset();
    state.replays++;
    if (text.length) {
      const r = stream.stepMany([Array.from(text, idOf)]);
      const C = r.shape[2];
      out = r.data.slice((text.length - 1) * C);
    }
  }
  state.text = text;
  if (out) show(out);
}

async function load(weights: 'float32' | 'int8'): Promise<void> {
  $('stream-status').textContent = `loading ${base.href} (${weights})…`;
  const task = await (await fetch(new URL('task.json', base))).json();
  if (task.kind !== 'char-lm') throw new Error(`${base.href} holds a ${task.kind} model, not a char-lm`);
  const tokenizer = Tokenizer.fromJSON(task.tokenizer);
  ids = new Map(tokenizer.wordIndex);
  chars = new Map([...ids].map(([c, i]) => [i, c]));
  model = await loadInferenceModel(new URL('model.json', base), { kernels: await kernels, weights });
  stream = model.stream();
  state.weights = weights;
  state.text = '';
  state.steps = 0;
  const ta = $('stream-text') as HTMLTextAreaElement;
  ta.disabled = false;
  if (ta.value) onInput();
  $('stream-status').textContent = `${model.name}: ${model.layers.map((l) => `${l.className}(${l.units})`).join(' → ')}, ${weights} weights, ${(await kernels).variant} kernels`;
  state.ready = true;
}

function fail(e: unknown): void {
  const msg = (e as Error).message ?? String(e);
  state.errors.push(msg);
  $('stream-status').textContent = `error: ${msg} (train one first: npm run cli -- lm train)`;
}

$('stream-text').addEventListener('input', () => { try { onInput(); } catch (e) { fail(e); } });
$('stream-reset').addEventListener('click', () => { ($('stream-text') as HTMLTextAreaElement).value = ''; stream?.reset(); state.text = ''; });
$('stream-weights').addEventListener('change', (e) => { state.ready = false; load((e.target as HTMLSelectElement).value as 'float32' | 'int8').catch(fail); });
load('float32').catch(fail);
