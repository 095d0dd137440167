// uvu's assert.throws calls a class expectation as a function; these helpers check the error's type and
// message explicitly, for synchronous and asynchronous calls.
import * as assert from 'uvu/assert';

type ErrorClass = abstract new (...args: never[]) => Error;

function check(label: string, err: unknown, type: ErrorClass, pattern?: RegExp): void {
  assert.ok(err instanceof type, `${label}: expected ${type.name}, got ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  if (pattern) assert.match((err as Error).message, pattern, label);
}

export function throwsTyped(call: () => unknown, type: ErrorClass, pattern?: RegExp, label = 'call'): void {
  let err: unknown = undefined;
  try {
    call();
  } catch (e) {
    err = e;
  }
  check(label, err, type, pattern);
}

export async function rejectsTyped(call: () => Promise<unknown>, type: ErrorClass, pattern?: RegExp, label = 'call'): Promise<void> {
  let err: unknown = undefined;
  try {
    await call();
  } catch (e) {
    err = e;
  }
  check(label, err, type, pattern);
}
