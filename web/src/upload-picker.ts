// Page side of the data upload: the file input sends the File to the worker ('inspect'), which reads it with
// the library's streamRecords and describes its columns; the pickers then offer every column, pre-selecting
// the text column (longest values) and the label column (fewest distinct values, at least 2), and the
// multi-label switch (label cells joined by a separator). uploadChoice() is what a training run sends.
import type { ColumnInfo, FromWorker, ToWorker, UploadChoice } from './protocol.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

/** What the page shows about the uploaded file (mirrored in the page's test state). */
export interface UploadState {
  name: string;
  rows: number;
  columns: ColumnInfo[];
}

/** Picks the likely text and label columns: longest mean value, and fewest distinct values (>= 2) of the rest. */
export function guessColumns(columns: ColumnInfo[]): { text: string; label: string } {
  const text = [...columns].sort((a, b) => b.meanLength - a.meanLength)[0]?.name ?? '';
  const rest = columns.filter((c) => c.name !== text);
  const label = [...rest].sort((a, b) => (a.distinct >= 2 ? a.distinct : 1e9) - (b.distinct >= 2 ? b.distinct : 1e9))[0]?.name ?? '';
  return { text, label };
}

function fill(select: HTMLSelectElement, columns: ColumnInfo[], chosen: string): void {
  select.innerHTML = '';
  for (const c of columns) {
    const o = document.createElement('option');
    o.value = c.name;
    o.textContent = `${c.name} (${c.distinct > 1000 ? '>1000' : c.distinct} distinct)`;
    o.selected = c.name === chosen;
    select.append(o);
  }
  select.disabled = false;
}

/** Wires the upload controls; `request` sends a message to the worker and resolves with its reply. */
export function setupUpload(o: {
  request: (m: ToWorker & { id: number }) => Promise<FromWorker>;
  nextId: () => number;
  status: (text: string) => void;
  fail: (message: string) => void;
  onChange: (u: UploadState | null) => void;
}): { uploadChoice: () => UploadChoice | null } {
  let current: UploadState | null = null;
  const info = () => {
    if (!current) { $('data-info').textContent = 'Built-in data: 3,000 labelled review sentences.'; return; }
    const label = current.columns.find((c) => c.name === $<HTMLSelectElement>('label-column').value);
    const multi = $<HTMLInputElement>('multi-label').checked;
    $('data-info').textContent = `${current.name}: ${current.rows} rows, ${current.columns.length} columns.`
      + (label ? ` Label column "${label.name}": ${multi ? 'label sets, e.g.' : `${label.distinct > 1000 ? 'more than 1000' : label.distinct} classes, e.g.`} ${label.examples.slice(0, 4).map((e) => JSON.stringify(e)).join(', ')}.` : '');
  };
  $<HTMLInputElement>('data-file').addEventListener('change', async (e) => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    try {
      o.status(`reading ${file.name}…`);
      const m = await o.request({ type: 'inspect', id: o.nextId(), file });
      if (m.type !== 'inspected') throw new Error('unexpected reply from the worker');
      current = { name: m.name, rows: m.rows, columns: m.columns };
      const guess = guessColumns(m.columns);
      fill($<HTMLSelectElement>('text-column'), m.columns, guess.text);
      fill($<HTMLSelectElement>('label-column'), m.columns, guess.label);
      $<HTMLSelectElement>('data-source').value = 'file';
      info();
      o.status(`${m.name}: ${m.rows} rows; choose the text and label columns, then Train`);
    } catch (err) {
      current = null;
      $<HTMLSelectElement>('data-source').value = 'builtin';
      o.fail(`could not read ${file.name}: ${(err as Error).message}`);
      info();
    }
    o.onChange(current);
  });
  for (const id of ['label-column', 'multi-label', 'data-source']) $(id).addEventListener('change', info);
  info();
  return {
    uploadChoice: () => {
      if ($<HTMLSelectElement>('data-source').value !== 'file') return null;
      if (!current) throw new Error('choose a CSV/TSV/JSONL file first (or the built-in data)');
      const separator = $<HTMLInputElement>('label-separator').value;
      if ($<HTMLInputElement>('multi-label').checked && separator === '') throw new Error('the multi-label separator must not be empty');
      return {
        textColumn: $<HTMLSelectElement>('text-column').value, labelColumn: $<HTMLSelectElement>('label-column').value,
        separator: $<HTMLInputElement>('multi-label').checked ? separator : null,
      };
    },
  };
}
