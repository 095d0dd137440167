// The model-import page (web/interop.html): drop a .keras, .h5, .onnx or TF.js model.json + shards, see the
// layer mapping, predict on token ids. It imports only the importer (src/interop/import.ts), so the exporters
// (h5wasm) never load here; fflate and jsfive load lazily when a Keras file arrives.
import { importDetailed, type ImportResult } from '../../src/interop/import.js';

/** Test hook: what the page did (read by test/interop-browser.test.ts). */
interface InteropPageState {
  ready: boolean;
  loaded: null | { name: string; format: string; layers: ImportResult['layers'] };
  output: null | { shape: number[]; values: number[] };
  errors: string[];
}

const state: InteropPageState = { ready: false, loaded: null, output: null, errors: [] };
(window as unknown as { __fusedRnnInterop: InteropPageState }).__fusedRnnInterop = state;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = (text: string) => { $('status').textContent = text; };
let model: ImportResult['model'] | null = null;

async function load(files: File[]): Promise<void> {
  state.loaded = null;
  state.output = null;
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

async function predict(): Promise<void> {
  if (!model) return;
  const text = ($('ids') as HTMLInputElement).value.trim();
  try {
    const ids = (text.startsWith('[') ? (JSON.parse(text) as number[]).flat() : text.split(/[\s,]+/).filter(Boolean).map(Number));
    const out = await model.predict({ data: Int32Array.from(ids), shape: [1, ids.length] });
    state.output = { shape: out.shape, values: Array.from(out.data) };
    $('output').textContent = `output (${out.shape.join(', ')}): ${Array.from(out.data, (v) => v.toFixed(5)).join(' ')}`;
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
