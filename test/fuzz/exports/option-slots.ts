// The options slot (issue 16): every public callable that takes an options (or logs) object behind other
// arguments is called with VALID leading arguments and junk in the options slot (null, a string, a number,
// an array, a function, a boolean). Each call must be refused with a typed FusedRnnError whose message names
// the options parameter. The junk sweep cannot show this: with junk leading arguments most callables refuse
// the first argument and never look at the options. The callables are read from the declaration files
// (surface.ts: a parameter named options, opts or logs), and each must have its leading arguments here, so a
// new export with options fails this check until it is listed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { factories, type Entries } from './instances.js';
import { entryPoints, publicSurface } from './surface.js';

type Mod = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Junk for the options slot, by name. */
export const SLOT_JUNK: Record<string, () => unknown> = {
  null: () => null, string: () => 'junk', number: () => 7, array: () => [1], function: () => () => 0, boolean: () => true,
};

/** Valid arguments a test builds once: a small model, its checkpoint bytes, files to read. */
interface Fixtures { m: Mod; dir: string; model: Mod; bytes: Uint8Array; tokenizer: Mod; vectors: Mod; functional: Mod }

/**
 * Leading arguments by callable ("name()", "new Name", "Name.static", "Name#method"; entry prefix "infer:"...).
 * Callback hooks and Layer#apply are derived (an index, a symbolic input).
 */
const LEADING: Record<string, (f: Fixtures) => unknown[]> = {
  'new CSVLogger': (f) => [join(f.dir, 'log.csv')],
  'LabelEncoder.fit': () => [['a', 'b']],
  'LabelEncoder#encode': () => [['a']],
  'new LearningRateScheduler': () => [(_e: number, lr: number) => lr],
  'MultiLabelBinarizer.fit': () => [[['a'], ['b']]],
  'MultiLabelBinarizer#transform': () => [[['a']]],
  'new Sequential': (f) => [[new f.m.Dense({ units: 1 })]],
  'Sequential#predict': () => [[[1, 2, 3]]],
  'Sequential#fit': () => [[[1, 2, 3]], [1]],
  'Sequential#evaluate': () => [[[1, 2, 3]], [1]],
  'Sequential#computeGradients': () => [[[1, 2, 3]], [1]],
  'Sequential.fromConfig': (f) => [f.model.getConfig()],
  'Model#predict': () => [[[[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]]],
  'Model#fit': () => [[[[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]], [[1]]],
  'Model#evaluate': () => [[[[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]], [[1]]],
  'Model#computeGradients': () => [[[[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]], [[1]]],
  'Model.fromConfig': (f) => [f.functional.getConfig()],
  'TextFileDataset.scan': (f) => [join(f.dir, 'd.tsv')],
  'batches()': () => [10, 2],
  'byteChunks()': (f) => [join(f.dir, 'd.csv')],
  'classificationReport()': () => [[0, 1], [0, 1]],
  'embeddingMatrix()': (f) => [f.tokenizer, f.vectors],
  'gradientHeatmap()': () => [[[1, 2], [3, 4]]],
  'gradientNormChart()': () => [[{ name: 'a', values: [1, 2] }]],
  'linearRnn()': () => [0.5],
  'linearRnnTable()': () => [[0.5]],
  'loadModel()': (f) => [f.bytes],
  'loadWeights()': (f) => [f.model, f.bytes],
  'loadWordVectors()': (f) => [join(f.dir, 'v.txt')],
  'lossCurve()': () => [[{ name: 'a', loss: [1, 2] }]],
  'modelFromConfig()': (f) => [f.model.getConfig()],
  'modelFromConfigBuilt()': (f) => [f.model.getConfig()],
  'multiLabelReport()': () => [[1, 0], [0.5, 0.5]],
  'padSequences()': () => [[[1, 2]]],
  'parseWordVectors()': () => ['a 1 2'],
  'predictTexts()': (f) => [f.model, f.tokenizer, 3, ['a b']],
  'readBytes()': (f) => [join(f.dir, 'd.csv')],
  'readCheckpoint()': (f) => [f.bytes],
  'readText()': (f) => [join(f.dir, 'd.csv')],
  'recurrentSpectralNorms()': () => [[1, 0, 0, 1], 2, 1],
  'saveModel()': (f) => [f.model, join(f.dir, 'm.frnn')],
  'saveModelToBytes()': (f) => [f.model],
  'sparkBars()': () => [[1, 2]],
  'sparkline()': () => [[1, 2]],
  'spectralNorm()': () => [[1, 0, 0, 1], 2, 2],
  'splitImdb()': () => [[]], // options are checked before the 50,000 records
  'splitIndices()': () => [10],
  'splitLabelSets()': () => [['a|b'], '|'],
  'streamRecords()': (f) => [join(f.dir, 'd.csv')],
  'summarizeTraining()': () => [[[1, 2], [3, 4]]],
  'infer:InferenceModel#predict': () => [[[1, 2, 3]]],
  'infer:createPredictor': (f) => [f.bytes],
  'infer:loadInferenceModel': (f) => [f.bytes],
  'interop:exportModel': (f) => [f.model, 'onnx'],
  'interop:importDetailed': (f) => [f.bytes],
  'interop:importModel': (f) => [f.bytes],
  'interop:loadTorchWeights': (f) => [f.model, f.bytes],
  'tfjs:installFusedLayers': () => [{}],
};

/** One options-slot call and what it did. */
export interface SlotResult { label: string; junk: string; outcome: 'typed' | 'accepted' | 'plain' | 'unnamed'; detail: string }

function isTyped(e: unknown): boolean {
  for (let p = e && Object.getPrototypeOf(e); p; p = Object.getPrototypeOf(p)) if (p.constructor?.name === 'FusedRnnError') return true;
  return false;
}

/** Pulls one item of a returned (async) iterator: generators check their options when first pulled. */
async function pull(v: unknown): Promise<void> {
  const it = v as { [Symbol.asyncIterator]?: () => AsyncIterator<unknown>; [Symbol.iterator]?: () => Iterator<unknown> } | null;
  if (it === null || typeof it !== 'object' || Array.isArray(it) || ArrayBuffer.isView(it)) return;
  const iter = it[Symbol.asyncIterator]?.() ?? (typeof it[Symbol.iterator] === 'function' && !(it instanceof Map) && !(it instanceof Set) ? it[Symbol.iterator]!() : null);
  if (iter) await iter.next();
}

/**
 * Calls every options-taking callable after its first parameter with valid leading arguments and each
 * SLOT_JUNK value. Returns the results and the callables that have no leading arguments listed.
 */
export async function sweepOptionSlots(root = '.'): Promise<{ results: SlotResult[]; unlisted: string[] }> {
  root = resolve(root);
  const entries: Entries = {};
  for (const e of entryPoints(root)) entries[e.entry] = await import(pathToFileURL(resolve(e.module)).href);
  const m = entries['.'];
  const dir = mkdtempSync(join(tmpdir(), 'fused-rnn-slots-'));
  const cwd = process.cwd();
  try {
    process.chdir(dir);
    writeFileSync(join(dir, 'd.csv'), 'text,label\nhello world,pos\nbye now,neg\n');
    writeFileSync(join(dir, 'd.tsv'), ['text\tlabel', ...Array.from({ length: 8 }, (_, i) => `word ${i % 3}\t${i % 2 ? 'pos' : 'neg'}`)].join('\n'));
    writeFileSync(join(dir, 'v.txt'), 'a 1 2\nb 3 4\n');
    const make = factories(entries, dir);
    const model = await make.Sequential() as Mod;
    const f: Fixtures = {
      m, dir, model, bytes: m.saveModelToBytes(model), tokenizer: new m.Tokenizer().fitOnTexts(['a b c', 'b c d']),
      vectors: m.parseWordVectors('a 1 2\nb 3 4'), functional: await make.Model() as Mod,
    };
    const results: SlotResult[] = [], unlisted: string[] = [];
    for (const x of publicSurface(root)) {
      const prefix = x.entry === '.' ? '' : `${x.entry.slice(2)}:`;
      const value = entries[x.entry][x.name]; // a function or a class (any: called, constructed or read)
      for (const [key, slot] of Object.entries(x.slots)) {
        if (slot.index === 0) continue; // the junk sweep puts junk there
        const label = key === 'call' ? `${x.name}()` : key === 'new' ? `new ${x.name}` : `${x.name}${key}`;
        const method = key.startsWith('#') || key.startsWith('.') ? key.slice(1) : null;
        if (key === 'new' && x.engineConstructor) continue;
        if (key === 'call' && x.engineFunction) continue;
        if (key.startsWith('#') && !x.methods.includes(method!)) continue; // engine contract
        let leading = LEADING[`${prefix}${label}`] ?? (prefix ? LEADING[`${prefix}${x.name}`] : undefined);
        if (!leading && key.startsWith('#on')) leading = () => (slot.index === 1 ? [0] : []); // a callback hook: (epoch or batch, logs)
        if (!leading && key === '#apply') leading = (fx) => [fx.m.Input({ shape: [3, 2] })];
        if (!leading) { unlisted.push(`${prefix}${label}`); continue; }
        for (const [junk, make1] of Object.entries(SLOT_JUNK)) {
          let outcome: SlotResult['outcome'], detail = '';
          try {
            const args = leading(f);
            while (args.length < slot.index) args.push(undefined);
            args[slot.index] = make1();
            const target = key.startsWith('#') ? ((make[`${x.entry} ${x.name}`] ?? (x.entry === '.' ? make[x.name] : undefined)) ? await (make[`${x.entry} ${x.name}`] ?? make[x.name])() : new value()) as Mod : null;
            const v = key === 'call' ? value(...args) : key === 'new' ? new value(...args) : key.startsWith('.') ? value[method!](...args) : target![method!](...args);
            await pull(await v);
            outcome = 'accepted';
          } catch (e) {
            detail = `${(e as Error)?.name}: ${String((e as Error)?.message).slice(0, 200)}`;
            outcome = !isTyped(e) ? 'plain' : String((e as Error).message).includes(slot.name) ? 'typed' : 'unnamed';
          }
          results.push({ label: `${prefix}${label}`, junk, outcome, detail });
        }
      }
    }
    return { results, unlisted };
  } finally {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  }
}
