// Worker side of the page's data upload: a user's CSV/TSV/JSONL File is read once with the library's
// streamRecords (the same parser as the CLI and TextFileDataset), its columns described for the page's pickers,
// and, for a training run, the chosen text and label columns become prepared data: LabelEncoder classes
// (K = 2 binary sigmoid, K > 2 softmax) or, with a separator, MultiLabelBinarizer label sets (K sigmoids).
import { LabelEncoder, MultiLabelBinarizer, prepareMultiLabelText, prepareText, splitLabelSets, streamRecords, type PreparedText } from '../../src/index.js';
import type { ColumnInfo, UploadChoice } from './protocol.js';

/** Largest file the page trains from in memory (the CLI's TextFileDataset streams larger ones). */
export const MAX_UPLOAD_BYTES = 64 * 1024 * 1024;

/** The records of the last inspected file. */
export interface UploadedTable {
  name: string;
  columns: string[];
  rows: Array<Record<string, unknown>>;
  lines: number[];
}

/** Reads every record of the file (CSV, TSV or JSONL by its name); errors name the file and line. */
export async function readUpload(file: File): Promise<UploadedTable> {
  if (file.size > MAX_UPLOAD_BYTES) throw new Error(`${file.name}: ${(file.size / 2 ** 20).toFixed(1)} MB is more than the ${MAX_UPLOAD_BYTES / 2 ** 20} MB this page trains from; use the CLI (fused-rnn train --data FILE)`);
  const rows: Array<Record<string, unknown>> = [], lines: number[] = [], columns = new Set<string>();
  for await (const r of streamRecords(file, { name: file.name })) {
    rows.push(r.fields);
    lines.push(r.line);
    for (const k of Object.keys(r.fields)) columns.add(k);
  }
  if (rows.length === 0) throw new Error(`${file.name}: no records (a header row and at least one data row are needed)`);
  return { name: file.name, columns: [...columns], rows, lines };
}

/** Per column: distinct values (up to 1,000 counted), a few examples, mean length — what the pickers show. */
export function describeColumns(t: UploadedTable): ColumnInfo[] {
  return t.columns.map((name) => {
    const distinct = new Set<string>();
    let length = 0;
    for (const r of t.rows) {
      const v = r[name] === undefined || r[name] === null ? '' : String(r[name]);
      if (distinct.size <= 1000) distinct.add(v);
      length += v.length;
    }
    return { name, distinct: distinct.size > 1000 ? 1001 : distinct.size, examples: [...distinct].slice(0, 5), meanLength: length / t.rows.length };
  });
}

/** The texts and labels of the chosen columns, prepared (tokenized, padded, split) for trainTextClassifier. */
export function prepareUpload(t: UploadedTable, c: UploadChoice, shaping: { maxlen?: number; seed: number }): { prepared: PreparedText; classes: string[] } {
  for (const col of [c.textColumn, c.labelColumn]) if (!t.columns.includes(col)) throw new Error(`${t.name}: no column "${col}" (columns: ${t.columns.join(', ')})`);
  if (c.textColumn === c.labelColumn) throw new Error('the text column and the label column must differ');
  const texts = t.rows.map((r) => (r[c.textColumn] === undefined || r[c.textColumn] === null ? '' : String(r[c.textColumn])));
  const name = `${t.name}: column "${c.labelColumn}"`, rowName = (i: number) => `line ${t.lines[i]}`;
  const raw = t.rows.map((r) => r[c.labelColumn]);
  if (c.separator !== null) {
    const sets = splitLabelSets(raw, c.separator, { name, rowName });
    const b = MultiLabelBinarizer.fit(sets, { name, rowName });
    const classes = b.classes.map(String);
    return { prepared: prepareMultiLabelText(texts, b.transform(sets, { name, rowName }), b.size, { ...shaping, classes }), classes };
  }
  const labels = raw.map((v, i) => {
    if (v === undefined || v === null || String(v).trim() === '') throw new Error(`${t.name}: line ${t.lines[i]}: the label column "${c.labelColumn}" is empty`);
    return String(v).trim();
  });
  const enc = LabelEncoder.fit(labels, { name });
  return { prepared: prepareText(texts, enc.encode(labels, { name, rowName }), shaping), classes: enc.classes.map(String) };
}
