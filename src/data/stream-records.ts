// Records of a CSV, TSV or JSONL file, streamed: bytes arrive chunk by chunk from any DataSource (a path in
// Node, a File/Blob/ReadableStream/URL in browsers; gzip undone), become lines (strict UTF-8, exact line
// numbers), and lines become records, so memory holds one block of lines at a time whatever the file size.
//   CSV  (RFC 4180, header row): lines are grouped until their quotes balance (a quoted field may span lines),
//        groups are collected into blocks of about 1 MB and parsed by csv-parse (sync API, pure JS, also in
//        browsers) with the header as columns.
//   TSV  (IANA text/tab-separated-values, header row): one record per line, fields split at tabs, no quoting.
//   JSONL: one JSON object per non-empty line.
// Every record carries the 1-based line it starts on; malformed input is a DataError naming file and line.
import { DataError } from './errors.js';
import { LineSplitter, byteChunks, sourceName, type DataSource } from './source.js';
import { checkArgument, checkOptions, string } from '../options/schema.js';

/** A file format streamRecords reads. */
export type RecordFormat = 'csv' | 'tsv' | 'jsonl';

/** One record and where it starts. */
export interface StreamedRecord {
  fields: Record<string, unknown>;
  /** 1-based line number of the record's first line. */
  line: number;
}

/** Options of streamRecords. */
export interface StreamRecordsOptions {
  /** Default: from the file name (.csv, .tsv/.tab, .jsonl/.ndjson, also under .gz); required for non-path sources. */
  format?: RecordFormat;
  /** Label for errors (default: the path/URL). */
  name?: string;
  /** Bytes of CSV text parsed per csv-parse call (default 1 MiB). */
  blockBytes?: number;
}

/** The format a file name implies, or null. */
export function formatOfName(name: string): RecordFormat | null {
  checkArgument('formatOfName', 'name', name, string());
  const base = name.toLowerCase().replace(/\.gz$/, '');
  if (base.endsWith('.csv')) return 'csv';
  if (base.endsWith('.tsv') || base.endsWith('.tab')) return 'tsv';
  if (base.endsWith('.jsonl') || base.endsWith('.ndjson')) return 'jsonl';
  return null;
}

const quotes = (s: string): number => {
  let n = 0;
  for (let i = s.indexOf('"'); i >= 0; i = s.indexOf('"', i + 1)) n++;
  return n;
};

/**
 * Streams the records of a CSV/TSV/JSONL source (see the file comment). The async iteration pulls chunks only
 * as records are consumed, so a slow consumer (a training loop) keeps memory flat.
 */
export async function* streamRecords(source: DataSource, options: StreamRecordsOptions = {}): AsyncGenerator<StreamedRecord> {
  checkOptions('streamRecords', options); // issue 16: null or non-object options are an OptionError
  const name = options.name ?? sourceName(source, typeof File !== 'undefined' && source instanceof File ? source.name : 'data');
  const format = options.format ?? formatOfName(typeof File !== 'undefined' && source instanceof File ? source.name : name);
  if (!format) throw new DataError('cannot tell the format from the name; pass format: "csv" | "tsv" | "jsonl"', name);
  const blockBytes = options.blockBytes ?? 1 << 20;
  if (!Number.isSafeInteger(blockBytes) || blockBytes < 1) throw new DataError(`blockBytes must be a positive integer, got ${blockBytes}`, name);
  // csv-parse is loaded on the CSV path only, so importing fused-rnn does not evaluate it. Its plain ESM build
  // uses Node's global Buffer; where there is none (browsers, workers) its browser build (Buffer polyfilled).
  const parseCsv = format !== 'csv' ? (() => []) as never
    : typeof (globalThis as { Buffer?: unknown }).Buffer === 'function' ? (await import('csv-parse/sync')).parse
      : (await import('csv-parse/browser/esm/sync')).parse as typeof import('csv-parse/sync').parse;
  let header: string[] | null = null;
  // Complete records waiting to be yielded, and (CSV) the record being assembled across lines.
  let ready: StreamedRecord[] = [];
  let block: string[] = [], blockLines: number[] = [], blockSize = 0;
  let partial: string[] = [], partialLine = 0, partialQuotes = 0;

  const flushCsv = (): void => {
    if (block.length === 0) return;
    let rows: unknown[][];
    try {
      rows = parseCsv(block.join('\n'), { relax_column_count: true, skip_empty_lines: false }) as unknown[][];
    } catch (e) {
      const m = /line (\d+)/.exec((e as Error).message);
      const at = m ? blockLines[Math.min(blockLines.length - 1, Number(m[1]) - 1)] : blockLines[0];
      throw new DataError(`cannot parse as CSV: ${(e as Error).message.replace(/^Invalid Record Length: |^/, '')}`, name, at);
    }
    if (rows.length !== block.length) throw new DataError(`cannot parse as CSV: ${block.length} records expected in this block, found ${rows.length}`, name, blockLines[0]);
    rows.forEach((row, i) => {
      if (row.length !== header!.length) throw new DataError(`expected ${header!.length} fields (${header!.join(', ')}), found ${row.length}`, name, blockLines[i]);
      const fields: Record<string, unknown> = {};
      header!.forEach((h, j) => { fields[h] = row[j]; });
      ready.push({ fields, line: blockLines[i] });
    });
    block = [];
    blockLines = [];
    blockSize = 0;
  };

  const onLine = (line: string, lineNo: number): void => {
    if (format === 'jsonl') {
      if (line.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (e) {
        throw new DataError(`invalid JSON: ${(e as Error).message}`, name, lineNo);
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new DataError('each line must hold one JSON object', name, lineNo);
      ready.push({ fields: value as Record<string, unknown>, line: lineNo });
      return;
    }
    if (format === 'tsv') {
      if (line === '') return;
      const cells = line.split('\t');
      if (!header) {
        header = cells.map((c) => c.trim());
        return;
      }
      if (cells.length !== header.length) throw new DataError(`expected ${header.length} tab-separated fields (${header.join(', ')}), found ${cells.length}`, name, lineNo);
      const fields: Record<string, unknown> = {};
      header.forEach((h, j) => { fields[h] = cells[j]; });
      ready.push({ fields, line: lineNo });
      return;
    }
    // CSV: assemble lines until the quotes balance (an odd count means a quoted field continues).
    if (partial.length === 0) {
      if (line === '') return;
      partialLine = lineNo;
    }
    partial.push(line);
    partialQuotes += quotes(line);
    if (partialQuotes % 2 === 1) return;
    const record = partial.join('\n');
    partial = [];
    partialQuotes = 0;
    if (!header) {
      const rows = parseCsv(record) as string[][];
      header = (rows[0] ?? []).map((c) => c.trim());
      if (header.length === 0) throw new DataError('empty header row', name, partialLine);
      return;
    }
    block.push(record);
    blockLines.push(partialLine);
    blockSize += record.length;
    if (blockSize >= blockBytes) flushCsv();
  };

  const splitter = new LineSplitter(name, onLine);
  for await (const chunk of byteChunks(source, { name })) {
    splitter.push(chunk);
    if (ready.length) {
      const out = ready;
      ready = [];
      yield* out;
    }
  }
  splitter.end();
  if (partial.length) throw new DataError('unterminated quoted field at the end of the file', name, partialLine);
  if (format === 'csv') flushCsv();
  if (!header && format !== 'jsonl') throw new DataError('the file is empty (no header row)', name);
  yield* ready;
}
