// Imports a package from bench/peers/node_modules by a non-literal name, so the root typecheck (which covers
// bench/) does not need the peers installed: CI installs only the root package. Peer APIs are typed by the
// small local interfaces where they are used.
import { createRequire } from 'node:module';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Untyped = any;

/** ESM import of a peer package (resolved from bench/peers): the module namespace. */
export const peerImport = (name: string): Promise<Untyped> => import(name);

/** Synchronous require of a CommonJS peer package. */
export const peerRequire: (name: string) => Untyped = createRequire(import.meta.url);
