// Element-wise activations: raw ABI, checked entry points, and the reference raw implementation.
// Legend: n elements. Kinds by name: linear, tanh, sigmoid, relu, hard_sigmoid (Keras 3 formula).

import type { Arena, Ptr } from '../arena.js';
import type { ArgumentCheck, Checker } from '../checker.js';
import { ACTIVATIONS, activationBackward, activationForward, type ActivationName } from '../reference/activations.js';

export interface ActivationRaw {
  activation_forward(y: Ptr, x: Ptr, n: number, kind: number): void;
  activation_backward(dx: Ptr, dy: Ptr, y: Ptr, n: number, kind: number, accumulate: number): void;
}

export interface ActivationKernels {
  /** y = act(x) over n floats; y may be x itself (in place) but must not partly overlap it. */
  activationForward(y: Ptr, x: Ptr, n: number, activation: ActivationName): void;
  /** dx (+)= dy · act'(x), the derivative taken from the saved output y. */
  activationBackward(dx: Ptr, dy: Ptr, y: Ptr, n: number, activation: ActivationName, accumulate?: boolean): void;
}

/** Maps an activation name to its ABI code, or throws naming the argument. */
export function activationKind(c: ArgumentCheck, argument: string, name: unknown): number {
  if (typeof name !== 'string' || !Object.hasOwn(ACTIVATIONS, name)) {
    c.fail(argument, name, `must be one of ${Object.keys(ACTIVATIONS).join(', ')}`);
  }
  return ACTIVATIONS[name as ActivationName];
}

export function activationKernels(raw: ActivationRaw, checker: Checker): ActivationKernels {
  return {
    activationForward(y, x, n, activation) {
      const c = checker.begin('activation_forward');
      c.dim('n', n);
      const kind = activationKind(c, 'activation', activation);
      c.buffer('y', y, n);
      c.buffer('x', x, n);
      c.disjoint('y', y, n, 'x', x, n, true);
      raw.activation_forward(y, x, n, kind);
    },
    activationBackward(dx, dy, y, n, activation, accumulate = false) {
      const c = checker.begin('activation_backward');
      c.dim('n', n);
      const kind = activationKind(c, 'activation', activation);
      const acc = c.flag('accumulate', accumulate);
      c.buffer('dx', dx, n);
      c.buffer('dy', dy, n);
      c.buffer('y', y, n);
      c.disjoint('dx', dx, n, 'dy', dy, n, true);
      c.disjoint('dx', dx, n, 'y', y, n);
      raw.activation_backward(dx, dy, y, n, kind, acc);
    },
  };
}

export function activationReference(arena: Arena): ActivationRaw {
  return {
    activation_forward: (y, x, n, kind) => activationForward(arena.f32(y, n), arena.f32(x, n), n, kind),
    activation_backward: (dx, dy, y, n, kind, acc) =>
      activationBackward(arena.f32(dx, n), arena.f32(dy, n), arena.f32(y, n), n, kind, acc !== 0),
  };
}
