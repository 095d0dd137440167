// Types of test/helpers/shutdown-hang.mjs (plain JS so that scripts/run-tests.mjs can load it without tsx).

/** The Node issue a note names when a child hung after its work was complete. */
export declare const NODE_SHUTDOWN_HANG: string;

/** Thrown when a child hung: before its work was complete, or twice. The message has the command, how it ended and its output's tail. */
export declare class ChildHangError extends Error {
  /** @param attempts how many times the child was run (1: hung before its work was complete; 2: hung twice) */
  constructor(message: string, attempts: number);
  /** How many times the child was run (1: hung before its work was complete; 2: hung twice). */
  readonly attempts: number;
}

/**
 * `env` plus the exit marker: NODE_OPTIONS preloads test/helpers/exit-marker.mjs, which writes `exit <code>`
 * to descriptor `fd` (default 3: spawn it with a fourth stdio 'pipe') when the child reaches process 'exit'.
 */
export declare function markerEnv(env: NodeJS.ProcessEnv, fd?: number): NodeJS.ProcessEnv;

/** Reads the marker pipe; calls `reached(exitCode)` once, when the child reached process 'exit'. */
export declare function onExitMarker(stream: NodeJS.ReadableStream, reached: (exitCode: number) => void): void;

/**
 * The decision after an attempt, shared by every runner of children (test/helpers/child.ts, the export
 * sweep, scripts/run-tests.mjs): 'done' (it ended by itself), 'retry' (killed by a limit after its work
 * was complete, first time: prints the one-line note), or a thrown ChildHangError (killed before its work
 * was complete, or hung a second time).
 */
export declare function afterAttempt(a: { timedOut: boolean; complete: boolean; attempt: number; label: string; limitMs: number; details: () => string }): 'done' | 'retry';
