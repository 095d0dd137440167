// The model-import page (web/interop.html): drop a .keras, .h5, .onnx or TF.js model.json + shards, see the
// layer mapping, predict on token ids. It imports only the importer (src/interop/import.ts), so the exporters
// (h5wasm) never load here; fflate and jsfive load lazily when a Keras file arrives.
import { importDetailed, type ImportResult } from '../../src/interop/import.js';
import type { Prediction } from '../../src/index.js';

/** Test hook: what the page did (read by test/interop-browser.test.ts). */
interface InteropPageState {
  ready: boolean;
  loaded: null | { name: string; format: string; layers: ImportResult['layers'] };
  /** The first output of the last prediction (all of them in `outputs`). */
  output: null | { shape: number[]; values: number[] };
  outputs: Array<{ shape: number[]; values: number[] }>;
  errors: string[];
}

const state: InteropPageState = { ready: false, loaded: null, output: null, outputs: [], errors: [] };
(window as unknown as { __fusedRnnInterop: InteropPageState }).__fusedRnnInterop = state;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = (text: string) => { $('status').textContent = text; };
let model: ImportResult['model'] | null = null;

async function load(files: File[]): Promise<void> {
  state.loaded = null;
  state.output = null;
  state.outputs = [];
  model = null;
  ($('predict') as HTMLButtonElement).disabled = true;
  const bytes = new Map<string, Uint8Array>();
  for (const f of files) bytes.set(f.name, new Uint8Array(await f.arrayBuffer()));
  const json = files.find((f) => f.name.endsWith('.json'));
  const main = json ?? files[0];
  status(`importing ${main.name}…`);
  try {
    const result = json
      ? await importDetailed({ modelJson: new TextDecoder().decode(bytes.get(json.name)!), weights: Object.fromEntries([...bytes].filter(([n]) => n !== json.name)) }, { name: json.name })
      : await importDetailed(bytes.get(main.name)!, { name: main.name });
    model = result.model;
    state.loaded = { name: main.name, format: result.format, layers: result.layers };
    const body = $('layers').querySelector('tbody')!;
    body.replaceChildren(...result.layers.map((l) => {
      const tr = document.createElement('tr');
      for (const v of [l.source, l.target, String(l.params)]) { const td = document.createElement('td'); td.textContent = v; tr.append(td); }
      return tr;
    }));
    $('layers').hidden = false;
    ($('predict') as HTMLButtonElement).disabled = false;
    status(`${main.name}: ${result.format}, ${result.layers.length} layers, ${result.layers.reduce((a, l) => a + l.params, 0)} parameters`);
  } catch (e) {
    state.errors.push(`${(e as Error).name}: ${(e as Error).message}`);
    status(`${(e as Error).name}: ${(e as Error).message}`);
  }
}

/** One input's rows from the ids field: ids "3, 9, 4" or JSON; floats (T, D) as a JSON 2-D array. */
function inputOf(v: unknown, float: boolean): { data: Int32Array | Float32Array; shape: number[] } {
  if (float) {
    const rows = v as number[][];
    if (!Array.isArray(rows) || !rows.every((r) => Array.isArray(r) && r.length === rows[0].length)) throw new Error('this model reads floats (time, features): give a JSON array of equal-length rows');
    return { data: Float32Array.from(rows.flat()), shape: [1, rows.length, rows[0].length] };
  }
  const ids = (Array.isArray(v) ? (v as unknown[]).flat() : String(v).split(/[\s,]+/).filter(Boolean)).map(Number);
  return { data: Int32Array.from(ids), shape: [1, ids.length] };
}

/** Inputs that read floats (Functional config dtype; a Sequential built on (T, D)). */
function floatInputNames(m: NonNullable<typeof model>): Set<string> {
  const c = m.getConfig() as { config?: { inputs?: Array<{ name: string; dtype: string }> } };
  if (c.config?.inputs) return new Set(c.config.inputs.filter((i) => i.dtype !== 'int32').map((i) => i.name));
  const shape = (m as unknown as { builtInputShape?: unknown[] | null }).builtInputShape;
  return new Set(shape && shape.length === 2 ? m.inputNames : []);
}

async function predict(): Promise<void> {
  if (!model) return;
  const text = ($('ids') as HTMLInputElement).value.trim();
  try {
    // One input: ids (commas/spaces or JSON); several inputs: a JSON object by input name.
    const names = model.inputNames;
    const floatInputs = floatInputNames(model);
    let xs;
    if (names.length > 1) {
      const byName = JSON.parse(text) as Record<string, unknown>;
      const missing = names.filter((n) => !(n in byName));
      if (missing.length) throw new Error(`this model has inputs ${names.join(', ')}: give a JSON object by input name (missing ${missing.join(', ')})`);
      xs = names.map((n) => inputOf(byName[n], floatInputs.has(n)));
    } else {
      xs = [inputOf(text.startsWith('[') ? JSON.parse(text) : text, floatInputs.size > 0)];
    }
    const raw = await model.predict(xs.length === 1 ? xs[0] : xs);
    const outs: Prediction[] = Array.isArray(raw) ? raw : [raw];
    state.outputs = outs.map((o) => ({ shape: o.shape, values: Array.from(o.data) }));
    state.output = state.outputs[0];
    $('output').textContent = outs.map((o, i) => `output${outs.length > 1 ? ` ${i}` : ''} (${o.shape.join(', ')}): ${Array.from(o.data, (v) => v.toFixed(5)).join(' ')}`).join('\n');
  } catch (e) {
    state.errors.push(`${(e as Error).name}: ${(e as Error).message}`);
    $('output').textContent = `${(e as Error).name}: ${(e as Error).message}`;
  }
}

const drop = $('drop');
drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  if (e.dataTransfer?.files.length) void load(Array.from(e.dataTransfer.files));
});
$('files').addEventListener('change', (e) => {
  const files = (e.target as HTMLInputElement).files;
  if (files?.length) void load(Array.from(files));
});
$('predict-form').addEventListener('submit', (e) => { e.preventDefault(); void predict(); });
state.ready = true;
