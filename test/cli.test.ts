// The command-line tool, run as users run it (the built dist/cli/fused-rnn.js in a child process).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runNode } from './helpers/child.js';

const CLI = 'dist/cli/fused-rnn.js';
const dir = mkdtempSync(join(tmpdir(), 'fused-rnn-cli-'));

// test/helpers/child.ts: a run that hangs in Node's shutdown after its work is done is run once more (note)
async function run(args: string[], input?: string) {
  const r = await runNode([CLI, ...args], { input, timeoutMs: 120_000, label: `fused-rnn ${args.join(' ')}` });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test.before(() => {
  assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build first`);
  const rows = ['text\tlabel'];
  const good = ['great', 'lovely', 'excellent', 'superb', 'wonderful'], bad = ['awful', 'terrible', 'bad', 'horrible', 'poor'];
  for (let i = 0; i < 120; i++) {
    const pos = i % 2 === 0;
    const w = (pos ? good : bad)[i % 5];
    rows.push(`the ${w} service was ${w} today\t${pos ? 'pos' : 'neg'}`);
  }
  writeFileSync(join(dir, 'reviews.tsv'), rows.join('\n') + '\n');
  writeFileSync(join(dir, 'tiny.txt'), 'the cat sat on the mat. '.repeat(200));
});

test('--help lists every command', async () => {
  const r = await run(['--help']);
  assert.is(r.code, 0);
  for (const c of ['compare', 'train', 'evaluate', 'predict', 'lm', 'summary', 'diagnose']) assert.match(r.out, new RegExp(`\\b${c}\\b`));
  assert.match((await run(['train', '--help'])).out, /--embeddings <spec>/);
});

test('train on a user TSV → predict (args and stdin) → evaluate → summary', async () => {
  const out = join(dir, 'gru');
  const r = await run(['train', '--data', join(dir, 'reviews.tsv'), '--model', 'gru', '--epochs', '4', '--units', '16', '--lr', '0.01', '--out', out, '--json']);
  assert.is(r.code, 0, r.err);
  const result = JSON.parse(r.out);
  assert.ok(result.testAccuracy >= 0.9, `test accuracy ${result.testAccuracy}`);
  assert.is(result.history.loss.length, 4);
  const p = JSON.parse((await run(['predict', '--model', out, '--json', 'the superb service was superb today', 'the awful service'])).out);
  assert.equal(p.map((q: { label: string }) => q.label), ['pos', 'neg']);
  const stdin = await run(['predict', '--model', out], 'the lovely service\nthe horrible service\n');
  assert.match(stdin.out, /^pos\t[\d.]+\tthe lovely service\nneg\t[\d.]+\tthe horrible service\n$/);
  const e = JSON.parse((await run(['evaluate', '--model', out, '--data', join(dir, 'reviews.tsv'), '--json'])).out);
  assert.is(e.samples, 120);
  assert.ok(e.accuracy >= 0.9);
  assert.match((await run(['summary', '--model', out])).out, /gru.*\(GRU\)/);
});

test('lm train → lm generate is deterministic for a seed', async () => {
  const out = join(dir, 'lm');
  const r = await run(['lm', 'train', '--text', join(dir, 'tiny.txt'), '--units', '16', '--window', '16', '--epochs', '1', '--sample', '20', '--out', out, '--json']);
  assert.is(r.code, 0, r.err);
  assert.is(JSON.parse(r.out).sample.length, 20);
  const gen = async (seed: string) => JSON.parse((await run(['lm', 'generate', '--model', out, '--prime', 'the ', '--length', '40', '--seed', seed, '--json'])).out).text as string;
  const a = await gen('3');
  assert.is(a, await gen('3'));
  assert.is(a.length, 40);
  assert.ok([...a].every((ch) => 'the cat sat on mat.'.includes(ch)), `only characters of the training text: ${JSON.stringify(a)}`);
});

test('diagnose writes the pictures and a report with the measured numbers', async () => {
  const out = join(dir, 'diag');
  const r = await run(['diagnose', '--lengths', '12', '--epochs', '1', '--out', out]);
  assert.is(r.code, 0, r.err);
  const files = readdirSync(out);
  assert.ok(files.filter((f) => f.endsWith('.svg')).length >= 6, files.join(' '));
  const md = readFileSync(join(out, 'report.md'), 'utf8');
  assert.match(md, /20959/);
  assert.match(md, /4\.317\d*e-5/);
  assert.ok(JSON.parse(readFileSync(join(out, 'data.json'), 'utf8')).exploding.length === 2);
  const adding = await run(['diagnose', '--task', 'adding', '--lengths', '10', '--epochs', '1', '--out', join(dir, 'diag-add'), '--json']);
  assert.is(adding.code, 0, adding.err);
  const data = JSON.parse(adding.out);
  assert.is(data.task, 'adding');
  assert.equal(data.longRange.map((r: { name: string }) => r.name), ['SimpleRNN (tanh, orthogonal U)', 'SimpleRNN (tanh, glorotUniform U)', 'LSTM', 'GRU']);
  for (const r of data.longRange) assert.ok(r.initial.length === 10 && r.initial.every((v: number) => v > 0));
});

test('the adding problem data: two markers, one early and one late; y = the sum of the marked values', async () => {
  const { addingData } = await import('../src/tasks/gradient-experiments.js');
  const { x, y } = addingData(50, 20, 3);
  for (let n = 0; n < 50; n++) {
    let marks = 0, sum = 0, early = false, late = false;
    for (let t = 0; t < 20; t++) {
      if (x.data[(n * 20 + t) * 2 + 1] === 1) { marks++; sum += x.data[(n * 20 + t) * 2]; if (t < 10) early = true; else late = true; }
    }
    assert.ok(marks === 2 && early && late, `sample ${n}`);
    assert.ok(Math.abs(sum - y.data[n]) < 1e-6);
  }
});

test('the main job (compare) runs end to end and saves the best model', async () => {
  const out = join(dir, 'best');
  const r = await run(['compare', '--epochs', '1', '--units', '16', '--out', out, '--json']);
  assert.is(r.code, 0, r.err);
  const res = JSON.parse(r.out);
  assert.equal(res.results.map((x: { model: string }) => x.model), ['SimpleRNN', 'LSTM', 'GRU', 'LSTM + GloVe']);
  for (const x of res.results) assert.ok(x.testAccuracy > 0.5 && x.params > 0);
  assert.ok(existsSync(join(out, 'model.json')) && existsSync(join(out, 'task.json')));
  assert.equal(readdirSync(dir).filter((f) => f.includes('.tmp') || f.includes('.old')), [], 'no temporary directories left behind');
});

test('bad input: clear errors and exit code 1', async () => {
  let r = await run(['train', '--data', join(dir, 'missing.csv')]);
  assert.is(r.code, 1);
  assert.match(r.err, /cannot read .*missing\.csv/);
  r = await run(['train', '--data', join(dir, 'reviews.tsv'), '--text-column', 'body']);
  assert.is(r.code, 1);
  assert.match(r.err, /no column "body" \(columns: text, label\)/);
  r = await run(['train', '--epochs', '0']);
  assert.is(r.code, 1);
  assert.match(r.err, /--epochs must be a positive integer, got "0"/);
  writeFileSync(join(dir, 'empty.csv'), '');
  r = await run(['train', '--data', join(dir, 'empty.csv')]);
  assert.is(r.code, 1);
  assert.match(r.err, /empty\.csv: the file is empty/);
  writeFileSync(join(dir, 'latin1.tsv'), Buffer.concat([Buffer.from('text\tlabel\nfine\t1\n'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x09, 0x30, 0x0a])]));
  r = await run(['train', '--data', join(dir, 'latin1.tsv')]);
  assert.is(r.code, 1);
  assert.match(r.err, /latin1\.tsv:3: invalid UTF-8/);
  writeFileSync(join(dir, 'one.csv'), 'text,label\na,x\nb,x\nc,x\n');
  r = await run(['train', '--data', join(dir, 'one.csv')]);
  assert.is(r.code, 1);
  assert.match(r.err, /one\.csv: column "label": a classifier needs at least 2 distinct labels, found 1 \("x"\)/);
  r = await run(['train', '--embeddings', `glove:${join(dir, 'no-such-glove.txt')}`, '--epochs', '1']);
  assert.is(r.code, 1);
  assert.match(r.err, /no-such-glove\.txt/);
  r = await run(['predict', '--model', join(dir, 'nothing'), 'x']);
  assert.is(r.code, 1);
  assert.match(r.err, /CheckpointError: .*task\.json: cannot read/);
});

test.run();
