// Reading data files the same way in Node and browsers: any source becomes a stream of byte chunks
// (file path or file: URL via node:fs in Node; http(s) URL via fetch; Response, Blob, ReadableStream,
// ArrayBuffer/typed array, or any (async) iterable of chunks), gzip is detected by its magic bytes and undone
// (node:zlib in Node, DecompressionStream in browsers), and bytes become UTF-8 lines with exact line numbers:
// invalid UTF-8 is an error naming the file and line, never a silent U+FFFD.
// Node-only modules are imported dynamically, so the browser bundle never loads them.
import { DataError } from './errors.js';
import { checkArgument, checkOptions, custom } from '../options/schema.js';

/** Where data can come from. A string is a file path in Node (or an http(s) URL), a URL in browsers. */
export type DataSource =
  | string
  | URL
  | ArrayBuffer
  | ArrayBufferView
  | Blob
  | Response
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array | string>
  | Iterable<Uint8Array | string>;

/** How a data source is read: its label in messages and whether to gunzip. */
export interface ReadOptions {
  /** Label used in error messages (default: the path or URL, else "data"). */
  name?: string;
  /** Undo gzip: 'auto' (default) by the magic bytes 1f 8b, true always, false never. */
  gzip?: boolean | 'auto';
}

const isNode = (): boolean => typeof process === 'object' && !!process.versions?.node;
const encoder = new TextEncoder();

/** The default error label for a source. */
export function sourceName(source: DataSource, fallback = 'data'): string {
  if (typeof source === 'string') return source;
  if (source instanceof URL) return source.protocol === 'file:' ? decodeURIComponent(source.pathname) : source.href;
  if (typeof Response !== 'undefined' && source instanceof Response && source.url) return source.url;
  return fallback;
}

/** The raw bytes of a source, chunk by chunk (not decompressed). */
export async function* rawChunks(source: DataSource, name = sourceName(source)): AsyncGenerator<Uint8Array> {
  if (typeof source === 'string' || source instanceof URL) {
    const href = String(source);
    if (isNode() && !/^(https?|data|blob):/i.test(href)) {
      yield* nodeFileChunks(href.startsWith('file:') ? new URL(href) : href, name);
      return;
    }
    let response: Response;
    try {
      response = await fetch(href);
    } catch (e) {
      throw new DataError(`cannot fetch (${(e as Error).message})`, name);
    }
    yield* rawChunks(response, name);
    return;
  }
  if (source instanceof ArrayBuffer) { yield new Uint8Array(source); return; }
  if (ArrayBuffer.isView(source)) { yield new Uint8Array(source.buffer, source.byteOffset, source.byteLength); return; }
  if (typeof Response !== 'undefined' && source instanceof Response) {
    if (!source.ok) throw new DataError(`HTTP ${source.status} ${source.statusText}`.trim(), name);
    if (source.body === null) return;
    yield* streamChunks(source.body);
    return;
  }
  if (typeof Blob !== 'undefined' && source instanceof Blob) { yield* streamChunks(source.stream()); return; }
  if (typeof ReadableStream !== 'undefined' && source instanceof ReadableStream) { yield* streamChunks(source); return; }
  if (source !== null && typeof source === 'object' && (Symbol.asyncIterator in source || Symbol.iterator in source)) {
    for await (const chunk of source as AsyncIterable<Uint8Array | string>) {
      if (typeof chunk === 'string') yield encoder.encode(chunk);
      else if (chunk instanceof Uint8Array) yield chunk;
      else throw new DataError(`a chunk is ${chunk === null ? 'null' : typeof chunk}, expected a Uint8Array or a string`, name);
    }
    return;
  }
  throw new DataError(`unsupported data source (${source === null ? 'null' : typeof source}); pass a path, URL, Response, Blob, ReadableStream, ArrayBuffer or typed array`, name);
}

async function* nodeFileChunks(path: string | URL, name: string): AsyncGenerator<Uint8Array> {
  const { createReadStream } = await import('node:fs');
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream) yield chunk as Uint8Array;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataError('file not found', name);
    if (code === 'EISDIR') throw new DataError('is a directory, not a file', name);
    if (code === 'EACCES') throw new DataError('permission denied', name);
    throw new DataError(`cannot read (${(e as Error).message})`, name);
  } finally {
    // Closed before the caller sees the end or an error (a parser's DataError, a consumer's break): no read
    // left in flight and no descriptor open until a garbage collection, e.g. when a process exits on the error.
    if (!stream.closed) {
      const closed = new Promise<void>((resolve) => stream.once('close', () => resolve()));
      stream.destroy();
      await closed;
    }
  }
}

async function* streamChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** Bytes of a source with gzip undone (see ReadOptions.gzip). */
export async function* byteChunks(source: DataSource, options: ReadOptions = {}): AsyncGenerator<Uint8Array> {
  checkOptions('byteChunks', options); // issue 16: null or non-object options are an OptionError
  const name = options.name ?? sourceName(source);
  const mode = options.gzip ?? 'auto';
  const raw = rawChunks(source, name);
  // Peek at the first two bytes (they may arrive in separate chunks).
  const head: Uint8Array[] = [];
  let have = 0;
  while (have < 2) {
    const r = await raw.next();
    if (r.done) break;
    if (r.value.length === 0) continue;
    head.push(r.value);
    have += r.value.length;
  }
  const first = head.length === 0 ? new Uint8Array(0) : head.length === 1 ? head[0] : concat(head);
  const gz = mode === true || (mode === 'auto' && first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b);
  async function* all(): AsyncGenerator<Uint8Array> {
    if (first.length) yield first;
    yield* raw;
  }
  try {
    if (!gz) { yield* all(); return; }
    yield* gunzip(all(), name);
  } finally {
    // A consumer that stops early (break, an error) may stop before `raw` was delegated to (while the peeked
    // head is yielded), or inside gunzip: end `raw` here too, so its file is closed before we return.
    await raw.return(undefined);
  }
}

/**
 * Decompresses a gzip byte stream: with node:zlib in Node, with DecompressionStream elsewhere (`engine` forces
 * one, for tests). Corrupt data → DataError naming the source.
 */
export function gunzip(chunks: AsyncIterable<Uint8Array>, name: string, engine: 'node' | 'web' = isNode() ? 'node' : 'web'): AsyncGenerator<Uint8Array> {
  const it = chunks[Symbol.asyncIterator]() as AsyncGenerator<Uint8Array>;
  return engine === 'node' ? nodeGunzip(it, name) : streamGunzip(it, name);
}

async function* nodeGunzip(input: AsyncIterator<Uint8Array>, name: string): AsyncGenerator<Uint8Array> {
  const { createGunzip } = await import('node:zlib');
  const { Readable, pipeline } = await import('node:stream');
  const gunzip = createGunzip();
  pipeline(Readable.from({ [Symbol.asyncIterator]: () => input }, { objectMode: false }), gunzip, () => {}); // errors surface through the iteration below
  try {
    for await (const chunk of gunzip) yield chunk as Uint8Array;
  } catch (e) {
    throw e instanceof DataError ? e : new DataError(`not valid gzip data (${(e as Error).message})`, name);
  } finally {
    gunzip.destroy();
  }
}

async function* streamGunzip(input: AsyncIterator<Uint8Array>, name: string): AsyncGenerator<Uint8Array> {
  if (typeof DecompressionStream === 'undefined') throw new DataError('gzip input needs DecompressionStream, which this engine lacks', name);
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const r = await input.next();
        if (r.done) controller.close();
        else controller.enqueue(r.value);
      } catch (e) {
        controller.error(e);
      }
    },
    async cancel() {
      await input.return?.(undefined);
    },
  });
  try {
    yield* streamChunks(body.pipeThrough(new DecompressionStream('gzip') as unknown as ReadableWritablePair<Uint8Array, Uint8Array>));
  } catch (e) {
    throw e instanceof DataError ? e : new DataError(`not valid gzip data (${(e as Error).message})`, name);
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** All bytes of a source (gzip undone). */
export async function readBytes(source: DataSource, options: ReadOptions = {}): Promise<Uint8Array> {
  checkOptions('readBytes', options); // issue 16: null or non-object options are an OptionError
  const parts: Uint8Array[] = [];
  for await (const chunk of byteChunks(source, options)) parts.push(chunk);
  return parts.length === 1 ? parts[0] : concat(parts);
}

/** The whole text of a source (UTF-8, BOM dropped; invalid UTF-8 → DataError naming file and line). */
export async function readText(source: DataSource, options: ReadOptions = {}): Promise<string> {
  checkOptions('readText', options); // issue 16: null or non-object options are an OptionError
  return decodeUtf8(await readBytes(source, options), options?.name ?? sourceName(source));
}

/** Strict UTF-8 decoding; on failure the error names the first bad line (1-based, counting from `firstLine`). */
export function decodeUtf8(bytes: Uint8Array, name: string, firstLine = 1, stripBom = true): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: !stripBom }).decode(bytes);
  } catch {
    const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    let line = firstLine, start = 0;
    for (let i = 0; i <= bytes.length; i++) {
      if (i === bytes.length || bytes[i] === 0x0a) {
        try {
          strict.decode(bytes.subarray(start, i));
        } catch {
          throw new DataError('invalid UTF-8', name, line);
        }
        line++;
        start = i + 1;
      }
    }
    throw new DataError('invalid UTF-8', name);
  }
}

/**
 * Splits a byte stream into lines (without "\n" or a trailing "\r") and hands each to `onLine` with its 1-based
 * number; `onLine` returns false to stop early. A final line without "\n" counts; an empty final piece does not.
 */
export class LineSplitter {
  private pending: Uint8Array = new Uint8Array(0);
  private lineNo = 1;
  private started = false;
  private stopped = false;

  constructor(
    private readonly name: string,
    private readonly onLine: (line: string, lineNo: number) => boolean | void,
  ) {}

  /** True once onLine asked to stop. */
  get done(): boolean {
    return this.stopped;
  }

  push(chunk: Uint8Array): void {
    checkArgument('LineSplitter.push', 'chunk', chunk, custom('a Uint8Array of bytes', (v) => v instanceof Uint8Array));
    if (this.stopped || chunk.length === 0) return;
    let last = chunk.lastIndexOf(0x0a);
    if (last < 0) {
      this.pending = this.pending.length ? concat([this.pending, chunk]) : chunk.slice();
      return;
    }
    const whole = this.pending.length ? concat([this.pending, chunk]) : chunk;
    last += whole.length - chunk.length;
    this.emit(whole.subarray(0, last));
    this.pending = whole.slice(last + 1);
  }

  end(): void {
    if (!this.stopped && this.pending.length) this.emit(this.pending);
    this.pending = new Uint8Array(0);
  }

  // Decode complete lines in one call (a newline byte never sits inside a UTF-8 sequence), then split.
  private emit(bytes: Uint8Array): void {
    const text = decodeUtf8(bytes, this.name, this.lineNo, !this.started);
    this.started = true;
    const lines = text.split('\n');
    for (const line of lines) {
      const n = this.lineNo++;
      if (this.stopped) continue;
      if (this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line, n) === false) this.stopped = true;
    }
  }
}
