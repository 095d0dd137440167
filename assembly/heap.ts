// Where the module's own static data ends; bindings/ start the arena above it (16-byte aligned).

/** First byte of linear memory that the module does not use itself. */
export function heap_base(): usize {
  return __heap_base;
}
