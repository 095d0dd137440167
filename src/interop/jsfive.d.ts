// Types for jsfive (it ships none): the part fused-rnn uses.
declare module 'jsfive' {
  export class Group {
    keys: string[];
    attrs: Record<string, unknown>;
    get(path: string): Group | Dataset | null;
  }
  export class Dataset {
    shape: number[];
    dtype: unknown;
    value: ArrayLike<number> | number;
    attrs: Record<string, unknown>;
  }
  export class File extends Group {
    constructor(buffer: ArrayBuffer, filename?: string);
  }
}
