// The recurrent layer shared by LSTM, GRU and SimpleRNN: buffers, state slots, masks, directions, input
// dropout and stateful carry around one fused kernel call per sequence (docs/recurrent-abi.md).
// Keras semantics: https://keras.io/api/layers/recurrent_layers/ (return_sequences, go_backwards,
// stateful, dropout). Legend: T steps, B batch, D input width, H units, S saved gate width.
//
// Training buffers (capacity Tc, Bc):  h, dh (T+1, B, H) state slots; LSTM c (T+1, B, H), dc, dc0 (B, H);
// gates (T, B, S); dgates (T, B, S'); hnorm2, cnorm2 (T) per-step gradient norms (diagnostics).
// Inference buffers: y (T, B, H) (returnSequences), state h, c (B, H), scratch (T, B, S).

import type { Ptr, TensorRef } from '../../bindings/index.js';
import { ConfigError, GraphError } from '../errors.js';
import { getInitializer, serializeInitializer, type InitializerSpec } from '../initializers.js';
import type { Regularizer } from '../model/param-table.js';
import { Layer, formatKerasShape, regularizerConfig, type Mask, type ParamDeclaration, type Planner, type Port, type RunContext, type RunDims, type Shape, checkShapeArgument } from './layer.js';
import type { CellActivation, CellShape, RecurrentOptions, StepBuffers } from './recurrent-options.js';
import { PackedWeightsCache, type PackedArg } from './packed-cache.js';
import { describeValue } from '../options/schema.js';

export type { CellActivation, CellShape, GateActivation, RecurrentOptions, StepBuffers } from './recurrent-options.js';

/** The base of LSTM, GRU and SimpleRNN (see the header). */
export abstract class Recurrent extends Layer {
  readonly units: number;
  readonly activation: CellActivation;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  readonly stateful: boolean;
  readonly dropout: number;
  readonly recurrentDropout: number;
  /** Set by Bidirectional on its backward copy: walk time backwards but keep time-ordered outputs. */
  reverseForBidirectional = false;
  /** Set by Bidirectional on its second copy: add into the input gradient instead of overwriting it. */
  accumulateDx = false;
  protected readonly kernelInitializer: InitializerSpec;
  protected readonly recurrentInitializer: InitializerSpec;
  protected readonly biasInitializer: InitializerSpec;
  protected readonly kernelRegularizer: Regularizer | null;
  protected readonly recurrentRegularizer: Regularizer | null;
  protected readonly biasRegularizer: Regularizer | null;

  private training = false;
  private D = 0;
  private buf = {
    h: 0, c: 0, gates: 0, dh: 0, dc: 0, dc0: 0, dgates: 0, hnorm2: 0, cnorm2: 0, y: 0, dy: 0, state: 0, cstate: 0, scratch: 0, mask: 0, xd: 0, dxd: 0,
    carry: 0, ccarry: 0, rmask: 0, dhState: 0, dcState: 0,
  };
  /** Ports of the initial states [h0] or [h0, c0] of this application (empty: zeros). */
  private initialPorts: Port[] = [];
  /** The mask of the last training forward (for gate statistics). */
  private lastMask: Mask | null = null;
  private lastRun: RunDims = { B: 0, T: 0 };
  private hasCarry = false;
  /** Inference plans: W and U packed into panels, kept between calls while the weights are unchanged. */
  private readonly packedWeights = new PackedWeightsCache();

  constructor(options: RecurrentOptions, base: string) {
    super(options, base);
    if (!Number.isInteger(options?.units) || options.units < 1) throw new ConfigError(`${base} "${this.name}": units must be a positive integer, got ${describeValue(options?.units)}`);
    this.units = options.units;
    this.activation = options.activation ?? 'tanh';
    this.returnSequences = options.returnSequences ?? false;
    this.returnState = options.returnState ?? false;
    this.goBackwards = options.goBackwards ?? false;
    this.stateful = options.stateful ?? false;
    this.dropout = options.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout < 1)) throw new ConfigError(`${base} "${this.name}": dropout must be in [0, 1), got ${options.dropout}`);
    this.recurrentDropout = options.recurrentDropout ?? 0;
    if (!(this.recurrentDropout >= 0 && this.recurrentDropout < 1)) throw new ConfigError(`${base} "${this.name}": recurrentDropout must be in [0, 1), got ${options.recurrentDropout}`);
    this.kernelInitializer = options.kernelInitializer ?? 'glorotUniform';
    this.recurrentInitializer = options.recurrentInitializer ?? 'orthogonal';
    this.biasInitializer = options.biasInitializer ?? 'zeros';
    this.kernelRegularizer = options.kernelRegularizer ?? null;
    this.recurrentRegularizer = options.recurrentRegularizer ?? null;
    this.biasRegularizer = options.biasRegularizer ?? null;
  }

  abstract cellShape(): CellShape;
  protected abstract biasInit(): InitializerSpec;
  protected abstract runForward(ctx: RunContext, a: StepBuffers): void;
  protected abstract runBackward(ctx: RunContext, a: StepBuffers & {
    dx: TensorRef | null; dW: TensorRef; dU: TensorRef; db: TensorRef; dh: TensorRef; dc: TensorRef | null; dc0: TensorRef | null;
    dgates: TensorRef; hnorm2: TensorRef; cnorm2: TensorRef | null; accumulateDx: boolean;
  }): void;
  protected abstract runInfer(ctx: RunContext, a: Omit<StepBuffers, 'gates'> & { y: TensorRef | null; scratch: TensorRef; packed: PackedArg | null }): void;

  /** Whether time runs backwards in the kernel. */
  private get reverse(): boolean {
    return this.goBackwards !== this.reverseForBidirectional;
  }

  computeOutputShape(input: Shape): Shape {
    checkShapeArgument(this, input);
    if (input.length !== 2 || input[1] === null) throw this.shapeError('input', '(None, T, D)', input);
    return this.returnSequences ? [input[0], this.units] : [this.units];
  }

  /** The number of state tensors: 2 (h, c) for LSTM, 1 (h) otherwise. */
  get stateCount(): number {
    return this.cellShape().hasCell ? 2 : 1;
  }

  override computeOutputShapes(inputs: Shape[], stateCount: number): Shape[] {
    const n = this.stateCount, names = n === 2 ? '[h, c]' : '[h]';
    if (inputs.length - stateCount !== 1) throw new GraphError(`${this.className} "${this.name}": expects one sequence input (and initialState ${names}), got ${inputs.length - stateCount} inputs`);
    if (stateCount !== 0 && stateCount !== n) throw new GraphError(`${this.className} "${this.name}": initialState must be ${names} (${n} tensor${n > 1 ? 's' : ''}), got ${stateCount}`);
    inputs.slice(1).forEach((s, i) => {
      if (s.length !== 1 || s[0] !== this.units) {
        throw new GraphError(`${this.className} "${this.name}": initial state ${i} must have shape (None, ${this.units}), got ${formatKerasShape(s)}`);
      }
    });
    const y = this.computeOutputShape(inputs[0]);
    return this.returnState ? [y, ...Array.from({ length: n }, () => [this.units])] : [y];
  }

  override planNode(planner: Planner, inputs: Port[]): Port[] {
    const y = this.plan(planner, inputs[0]);
    this.initialPorts = inputs.slice(1);
    if (!this.returnState) return [y];
    const b = this.buf, B = planner.capacity.B, H = this.units, used = planner.outputsUsed;
    const cell = this.cellShape();
    if (this.training) {
      if (used[1]) b.dhState = planner.alloc(B * H);
      if (cell.hasCell && used[2]) b.dcState = planner.alloc(B * H);
    }
    const last = (run: RunDims) => this.slot(run, this.reverse ? 0 : run.T);
    const state = (value: (run: RunDims) => Ptr, grad: Ptr): Port => ({
      shape: [H], sequence: false,
      value: (run) => ({ ptr: value(run), shape: [run.B, H] }),
      grad: (run) => (grad ? { ptr: grad, shape: [run.B, H] } : null),
    });
    const h = this.training ? state((run) => b.h + last(run), b.dhState) : state(() => b.state, 0);
    if (!cell.hasCell) return [y, h];
    const c = this.training ? state((run) => b.c + last(run), b.dcState) : state(() => b.cstate, 0);
    return [y, h, c];
  }

  propagatesMask(): boolean {
    return this.returnSequences;
  }

  declareParams(input: Shape): ParamDeclaration[] {
    const D = input[1] as number, G = this.cellShape().gateWidth;
    return [
      { name: 'kernel', shape: [D, G], trainable: this.trainable, regularizer: this.kernelRegularizer, initializer: this.kernelInitializer },
      { name: 'recurrent_kernel', shape: [this.units, G], trainable: this.trainable, regularizer: this.recurrentRegularizer, initializer: this.recurrentInitializer },
      { name: 'bias', shape: this.cellShape().biasShape, trainable: this.trainable, regularizer: this.biasRegularizer, initializer: this.biasInit() },
    ];
  }

  plan(planner: Planner, input: Port): Port {
    if (!input.sequence) throw this.shapeError('a sequence input', '(None, T, D)', input.shape);
    this.input = input;
    this.training = planner.training;
    this.D = input.shape[1] as number;
    const { T, B } = planner.capacity, H = this.units, cell = this.cellShape();
    const slots = (T + 1) * B * H, a = (n: number) => planner.alloc(n);
    const b = this.buf;
    for (const k of Object.keys(b) as Array<keyof typeof b>) b[k] = 0;
    if (this.training) {
      b.h = a(slots); b.dh = a(slots);
      if (cell.hasCell) { b.c = a(slots); b.dc = a(B * H); b.dc0 = a(B * H); b.cnorm2 = a(2 * T); } // cnorm2, hnorm2: (T) f64
      if (cell.saved) b.gates = a(T * B * cell.saved);
      b.dgates = a(T * B * cell.dgates);
      b.hnorm2 = a(2 * T);
      if (this.dropout > 0) { b.mask = a(B * this.D); b.xd = a(T * B * this.D); if (input.grad({ T, B })) b.dxd = a(T * B * this.D); }
      if (this.returnSequences && this.goBackwards) { b.y = a(T * B * H); b.dy = a(T * B * H); }
      if (this.recurrentDropout > 0) b.rmask = a(this.maskGates() * B * H);
      this.packedWeights.clear();
    } else {
      this.packedWeights.plan(a, (this.D + H) * cell.gateWidth);
      b.state = a(B * H);
      if (cell.hasCell) b.cstate = a(B * H);
      b.scratch = a(T * B * cell.scratch);
      if (this.returnSequences) b.y = a(T * B * H);
    }
    if (this.stateful) { b.carry = a(B * H); if (cell.hasCell) b.ccarry = a(B * H); }
    this.hasCarry = false;
    this.initialPorts = [];
    this.output = this.makePort(input.shape);
    return this.output;
  }

  /** Recurrent dropout masks per sample: one per gate block for LSTM (4) and GRU (3), one for SimpleRNN. */
  private maskGates(): number {
    return this.cellShape().gateWidth / this.units;
  }

  private recurrentMask(ctx: RunContext): TensorRef | null {
    if (!this.buf.rmask || !ctx.training) return null;
    const K = this.maskGates();
    return { ptr: this.buf.rmask, shape: K === 1 ? [ctx.B, this.units] : [K, ctx.B, this.units] };
  }

  /** Byte offset of state slot s for the current batch. */
  private slot(run: RunDims, s: number): number {
    return s * run.B * this.units * 4;
  }

  private makePort(inputShape: Shape): Port {
    const shape = this.computeOutputShape(inputShape), H = this.units, b = this.buf;
    const seq = (run: RunDims) => [run.T, run.B, H];
    if (!this.training) {
      return this.returnSequences
        ? { shape, sequence: true, value: (run) => ({ ptr: b.y, shape: seq(run) }), grad: () => null }
        : { shape, sequence: false, value: (run) => ({ ptr: b.state, shape: [run.B, H] }), grad: () => null };
    }
    if (this.returnSequences && this.goBackwards) {
      // Keras go_backwards returns outputs in processing order: a reversed copy of the time-ordered slots.
      return { shape, sequence: true, value: (run) => ({ ptr: b.y, shape: seq(run) }), grad: (run) => ({ ptr: b.dy, shape: seq(run) }) };
    }
    // Output slots: forward 1..T, reverse 0..T-1; the final state: slot T (forward) or 0 (reverse).
    const first = (run: RunDims) => this.slot(run, this.reverse ? 0 : 1);
    const last = (run: RunDims) => this.slot(run, this.reverse ? 0 : run.T);
    return this.returnSequences
      ? { shape, sequence: true, value: (run) => ({ ptr: b.h + first(run), shape: seq(run) }), grad: (run) => ({ ptr: b.dh + first(run), shape: seq(run) }) }
      : { shape, sequence: false, value: (run) => ({ ptr: b.h + last(run), shape: [run.B, H] }), grad: (run) => ({ ptr: b.dh + last(run), shape: [run.B, H] }) };
  }

  /** Clears the carried state of a stateful layer (Keras reset_states). */
  resetStates(): void {
    this.hasCarry = false;
  }

  private weights(ctx: RunContext) {
    return { W: this.weight(ctx, 'kernel'), U: this.weight(ctx, 'recurrent_kernel'), b: this.weight(ctx, 'bias') };
  }

  private checkStatefulBatch(ctx: RunContext): void {
    if (this.stateful && this.hasCarry && ctx.B !== this.lastRun.B) {
      throw new ConfigError(`${this.className} "${this.name}": stateful layers need a fixed batch size; got ${ctx.B} after ${this.lastRun.B} (call resetStates() first)`);
    }
  }

  forward(ctx: RunContext): void {
    this.checkStatefulBatch(ctx);
    const k = ctx.kernels, H = this.units, B = ctx.B, T = ctx.T, b = this.buf, cell = this.cellShape();
    let x = this.input.value(ctx);
    const useDropout = this.training && this.dropout > 0 && ctx.training;
    if (useDropout) {
      const mask = { ptr: b.mask, shape: [B, this.D] };
      k.dropoutMask({ mask, rate: this.dropout, random: ctx.random, state: ctx.randomState });
      const xd = { ptr: b.xd, shape: x.shape };
      k.dropoutForward({ y: xd, x, mask });
      x = xd;
    }
    const lengths = ctx.lengths, leftPadded = ctx.leftPadded, reverse = this.reverse;
    this.lastMask = ctx.mask;
    const stepMask = ctx.stepMask;
    if (!this.training) {
      this.initialState(ctx, b.state, b.cstate);
      const w = this.weights(ctx), version = ctx.weightsVersion;
      this.runInfer(ctx, {
        x, ...w, lengths, stepMask, reverse, leftPadded,
        y: this.returnSequences ? { ptr: b.y, shape: [T, B, H] } : null,
        h: { ptr: b.state, shape: [B, H] }, c: cell.hasCell ? { ptr: b.cstate, shape: [B, H] } : null,
        scratch: { ptr: b.scratch, shape: [T, B, cell.scratch] }, packed: this.packedWeights.arg(version, w.W, w.U),
      });
      this.packedWeights.packed(version, w.W, w.U);
      if (this.stateful) this.saveCarry(ctx, b.state, b.cstate);
      if (this.returnSequences && this.goBackwards) {
        // Keras go_backwards order: swap time blocks t and T-1-t through the (now free) scratch.
        const n = B * H, at = (t: number) => b.y + t * n * 4;
        for (let t = 0; t < T - 1 - t; t++) {
          k.copy(b.scratch, at(t), n);
          k.copy(at(t), at(T - 1 - t), n);
          k.copy(at(T - 1 - t), b.scratch, n);
        }
      }
    } else {
      const h0 = b.h + this.slot(ctx, reverse ? T : 0);
      const c0 = cell.hasCell ? b.c + this.slot(ctx, reverse ? T : 0) : 0;
      this.initialState(ctx, h0, c0);
      const slots = [T + 1, B, H];
      const recurrentMask = this.recurrentMask(ctx);
      if (recurrentMask) k.dropoutMask({ mask: recurrentMask, rate: this.recurrentDropout, random: ctx.random, state: ctx.randomState });
      this.runForward(ctx, {
        x, ...this.weights(ctx), lengths, stepMask, reverse, leftPadded, recurrentMask,
        h: { ptr: b.h, shape: slots }, c: cell.hasCell ? { ptr: b.c, shape: slots } : null,
        gates: cell.saved ? { ptr: b.gates, shape: [T, B, cell.saved] } : null,
      });
      const fin = reverse ? 0 : T;
      if (this.stateful) this.saveCarry(ctx, b.h + this.slot(ctx, fin), cell.hasCell ? b.c + this.slot(ctx, fin) : 0);
      if (this.returnSequences && this.goBackwards) {
        for (let t = 0; t < T; t++) k.copy(b.y + t * B * H * 4, b.h + this.slot(ctx, reverse ? T - 1 - t : t + 1), B * H);
      }
      // The gradient buffer: the layer above writes its output slots; every other slot starts at zero.
      k.fill(b.dh, 0, (T + 1) * B * H);
    }
    this.lastRun = { B, T };
  }

  private initialState(ctx: RunContext, h: Ptr, c: Ptr): void {
    const n = ctx.B * this.units, k = ctx.kernels;
    if (this.stateful && this.hasCarry) {
      k.copy(h, this.buf.carry, n);
      if (c) k.copy(c, this.buf.ccarry, n);
    } else if (this.initialPorts.length) {
      // A state port's value depends on its producer's T (the slot of its final step): the run of input i.
      const run = (i: number) => ({ B: ctx.B, T: ctx.inputs[i].T });
      k.copy(h, this.initialPorts[0].value(run(1)).ptr, n);
      if (c) k.copy(c, this.initialPorts[1].value(run(2)).ptr, n);
    } else {
      k.fill(h, 0, n);
      if (c) k.fill(c, 0, n);
    }
  }

  private saveCarry(ctx: RunContext, h: Ptr, c: Ptr): void {
    const n = ctx.B * this.units;
    ctx.kernels.copy(this.buf.carry, h, n);
    if (c) ctx.kernels.copy(this.buf.ccarry, c, n);
    this.hasCarry = true;
  }

  backward(ctx: RunContext): void {
    if (!this.training) return;
    const k = ctx.kernels, H = this.units, B = ctx.B, T = ctx.T, b = this.buf, cell = this.cellShape();
    const reverse = this.reverse;
    if (this.returnSequences && this.goBackwards) {
      for (let t = 0; t < T; t++) k.copy(b.dh + this.slot(ctx, reverse ? T - 1 - t : t + 1), b.dy + t * B * H * 4, B * H);
    }
    // Gradients of the returned states join the output's: dL/dh_T into its slot, dL/dc_T as the dc carry.
    if (b.dhState) k.axpy(b.dh + this.slot(ctx, reverse ? 0 : T), 1, b.dhState, B * H);
    if (cell.hasCell) {
      if (b.dcState) k.copy(b.dc, b.dcState, B * H);
      else k.fill(b.dc, 0, B * H);
    }
    const inGrad = this.input.grad(ctx);
    const useDropout = this.dropout > 0 && ctx.training;
    const x = useDropout ? { ptr: b.xd, shape: [T, B, this.D] } : this.input.value(ctx);
    const dx = inGrad ? (useDropout ? { ptr: b.dxd, shape: [T, B, this.D] } : inGrad) : null;
    const slots = [T + 1, B, H];
    this.runBackward(ctx, {
      x, ...this.weights(ctx), lengths: ctx.lengths, stepMask: ctx.stepMask, reverse, leftPadded: ctx.leftPadded, recurrentMask: this.recurrentMask(ctx),
      h: { ptr: b.h, shape: slots }, c: cell.hasCell ? { ptr: b.c, shape: slots } : null,
      gates: cell.saved ? { ptr: b.gates, shape: [T, B, cell.saved] } : null,
      dx, accumulateDx: this.accumulateDx && !useDropout,
      dW: this.weightGrad(ctx, 'kernel'), dU: this.weightGrad(ctx, 'recurrent_kernel'), db: this.weightGrad(ctx, 'bias'),
      dh: { ptr: b.dh, shape: slots }, dc: cell.hasCell ? { ptr: b.dc, shape: [B, H] } : null,
      dc0: cell.hasCell ? { ptr: b.dc0, shape: [B, H] } : null,
      dgates: { ptr: b.dgates, shape: [T, B, cell.dgates] },
      hnorm2: { ptr: b.hnorm2, shape: [T] }, cnorm2: cell.hasCell ? { ptr: b.cnorm2, shape: [T] } : null,
    });
    if (useDropout && inGrad) {
      k.dropoutBackward({ dx: inGrad, dy: { ptr: b.dxd, shape: [T, B, this.D] }, mask: { ptr: b.mask, shape: [B, this.D] }, accumulate: this.accumulateDx });
    }
    // dL/dh0 ends in the initial slot of dh, dL/dc0 in dc0: hand them to the initial states' producers.
    const run = (i: number) => ({ B, T: ctx.inputs[i]?.T ?? 1 });
    const dh0 = this.initialPorts[0]?.grad(run(1)), dc0 = this.initialPorts[1]?.grad(run(2));
    if (dh0) k.copy(dh0.ptr, b.dh + this.slot(ctx, reverse ? T : 0), B * H);
    if (dc0) k.copy(dc0.ptr, b.dc0, B * H);
  }

  /**
   * ‖dL/dh_t‖ per time step t (time order) from the last backward, summed over batch and units, or null
   * before any backward. The raw material of the gradient diagnostics.
   */
  gradientNorms(ctx: { kernels: RunContext['kernels'] }): { h: Float64Array; c: Float64Array | null } | null {
    if (!this.training || this.lastRun.T === 0) return null;
    const T = this.lastRun.T, a = ctx.kernels.arena;
    const read = (p: Ptr) => new Float64Array(a.memory.buffer, p, T).map(Math.sqrt); // the kernels write f64
    return { h: read(this.buf.hnorm2), c: this.buf.cnorm2 ? read(this.buf.cnorm2) : null };
  }

  /**
   * The gates saved by the last training forward, time-major (T, B, S) with S = the saved gate width, the
   * gate names in block order and that forward's mask; null for SimpleRNN or before any training forward.
   */
  savedGates(): { ptr: Ptr; T: number; B: number; S: number; H: number; names: string[]; mask: Mask | null } | null {
    const cell = this.cellShape();
    if (!this.training || !cell.saved || this.lastRun.T === 0) return null;
    const names = cell.hasCell ? ['input', 'forget', 'cell', 'output'] : ['update', 'reset'];
    return { ptr: this.buf.gates, ...this.lastRun, S: cell.saved, H: this.units, names, mask: this.lastMask };
  }

  protected baseConfig(): Record<string, unknown> {
    return {
      name: this.name, trainable: this.trainable, units: this.units, activation: this.activation,
      returnSequences: this.returnSequences, returnState: this.returnState, goBackwards: this.goBackwards, stateful: this.stateful, dropout: this.dropout, recurrentDropout: this.recurrentDropout,
      kernelInitializer: serializeInitializer(getInitializer(this.kernelInitializer)),
      recurrentInitializer: serializeInitializer(getInitializer(this.recurrentInitializer)),
      biasInitializer: serializeInitializer(getInitializer(this.biasInitializer)),
      kernelRegularizer: regularizerConfig(this.kernelRegularizer),
      recurrentRegularizer: regularizerConfig(this.recurrentRegularizer),
      biasRegularizer: regularizerConfig(this.biasRegularizer),
    };
  }
}
