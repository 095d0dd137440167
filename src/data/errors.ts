// The error the data pipeline throws on purpose: bad options, malformed files, wrong dimensions. When the
// problem sits in a file, the message starts "file:line: " (the compiler convention) so editors can jump there.
import { FusedRnnError } from '../../bindings/errors.js';

/** Bad input data (file contents, shapes, options of the data helpers), naming the file and line where known. */
export class DataError extends FusedRnnError {
  /**
   * @param detail what is wrong, e.g. `expected 100 values after the word, got 99`
   * @param file the file, URL or label the data came from (optional)
   * @param line 1-based line number inside `file` (optional)
   */
  constructor(
    readonly detail: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(file === undefined ? detail : line === undefined ? `${file}: ${detail}` : `${file}:${line}: ${detail}`);
  }
}
