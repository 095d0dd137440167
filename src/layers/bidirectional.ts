// Bidirectional: one recurrent layer over time forwards and a copy of it backwards, outputs merged.
// Keras: keras.layers.Bidirectional (https://keras.io/api/layers/recurrent_layers/bidirectional/);
// weights are named forward_<layer>/... and backward_<layer>/...; merge_mode concat (default), sum, mul, ave.
// The backward copy runs the kernel with REVERSE, whose output slots are already in time order, so no
// reversal copy is needed; its input gradient is added to the forward copy's (ACCUMULATE_DX).

import type { Ptr } from '../../bindings/index.js';
import { ConfigError, GraphError } from '../errors.js';
import type { ParamEntry } from '../model/param-table.js';
import { stepValid } from './mask.js';
import { Layer, type LayerOptions, type ParamDeclaration, type Planner, type Port, type RunContext, type Shape, checkShapeArgument } from './layer.js';
import type { Recurrent } from './recurrent.js';

/** How Bidirectional combines the two directions (Keras merge_mode). */
export type MergeMode = 'concat' | 'sum' | 'mul' | 'ave';

/** Options of Bidirectional: the recurrent layer to run both ways and the merge mode. */
export interface BidirectionalOptions extends LayerOptions {
  layer: Recurrent;
  mergeMode?: MergeMode;
}

/** Keras Bidirectional: a recurrent layer over time forwards and a copy backwards, outputs merged. */
export class Bidirectional extends Layer {
  readonly className = 'Bidirectional';
  readonly forwardLayer: Recurrent;
  readonly backwardLayer: Recurrent;
  readonly mergeMode: MergeMode;
  private out = 0;
  private dout = 0;
  private H = 0;

  constructor(options: BidirectionalOptions) {
    super(options, `bidirectional`);
    const inner = options.layer;
    if (!inner || typeof (inner as Recurrent).cellShape !== 'function') throw new ConfigError(`Bidirectional "${this.name}": layer must be an LSTM, GRU or SimpleRNN`);
    if (inner.stateful) throw new ConfigError(`Bidirectional "${this.name}": stateful inner layers are not supported`);
    this.mergeMode = options.mergeMode ?? 'concat';
    if (!['concat', 'sum', 'mul', 'ave'].includes(this.mergeMode)) throw new ConfigError(`Bidirectional "${this.name}": mergeMode must be concat, sum, mul or ave, got ${JSON.stringify(options.mergeMode)}`);
    const Ctor = inner.constructor as new (o: Record<string, unknown>) => Recurrent;
    const config = inner.getConfig();
    this.forwardLayer = new Ctor({ ...config, name: `forward_${inner.name}` });
    this.backwardLayer = new Ctor({ ...config, name: `backward_${inner.name}` });
    this.backwardLayer.reverseForBidirectional = true;
    this.backwardLayer.accumulateDx = true;
    this.trainable = options.trainable ?? inner.trainable;
    this.forwardLayer.trainable = this.backwardLayer.trainable = this.trainable;
  }

  computeOutputShape(input: Shape): Shape {
    checkShapeArgument(this, input);
    const s = this.forwardLayer.computeOutputShape(input);
    const H = s[s.length - 1] as number;
    return [...s.slice(0, -1), this.mergeMode === 'concat' ? 2 * H : H];
  }

  declareParams(input: Shape): ParamDeclaration[] {
    const prefix = (l: Recurrent) => l.declareParams(input).map((d) => ({ ...d, name: `${l.name}/${d.name}`, trainable: this.trainable }));
    return [...prefix(this.forwardLayer), ...prefix(this.backwardLayer)];
  }

  override bindParams(entries: ParamEntry[]): void {
    this.params = entries;
    for (const l of [this.forwardLayer, this.backwardLayer]) {
      l.bindParams(entries.filter((e) => e.name.startsWith(`${l.name}/`)).map((e) => ({ ...e, name: e.name.slice(l.name.length + 1) })));
    }
  }

  override propagatesMask(): boolean {
    return this.forwardLayer.returnSequences;
  }

  /**
   * Keras order: inputs [x, ...forward initial states, ...backward initial states]; outputs [y] or, with
   * returnState, [y, ...forward final states, ...backward final states].
   */
  override computeOutputShapes(inputs: Shape[], stateCount: number): Shape[] {
    const n = this.forwardLayer.stateCount;
    if (stateCount !== 0 && stateCount !== 2 * n) {
      throw new GraphError(`Bidirectional "${this.name}": initialState must hold ${2 * n} tensors (forward then backward ${n === 2 ? '[h, c]' : '[h]'}), got ${stateCount}`);
    }
    const f = this.forwardLayer.computeOutputShapes(inputs.slice(0, inputs.length - stateCount / 2), stateCount / 2);
    this.backwardLayer.computeOutputShapes([inputs[0], ...inputs.slice(inputs.length - stateCount / 2)], stateCount / 2);
    const y = this.computeOutputShape(inputs[0]);
    return f.length === 1 ? [y] : [y, ...f.slice(1), ...f.slice(1)];
  }

  override planNode(planner: Planner, inputs: Port[]): Port[] {
    const n = this.forwardLayer.stateCount, states = inputs.length - 1;
    const used = planner.outputsUsed;
    const inner = (from: number): Planner => ({
      alloc: (k) => planner.alloc(k), capacity: planner.capacity, inputCapacity: planner.inputCapacity, training: planner.training,
      outputsUsed: [true, ...used.slice(from, from + n)],
    });
    const fs = this.forwardLayer.planNode(inner(1), [inputs[0], ...inputs.slice(1, 1 + states / 2)]);
    const bs = this.backwardLayer.planNode(inner(1 + n), [inputs[0], ...inputs.slice(1 + states / 2)]);
    const y = this.planMerge(planner, inputs[0], fs[0]);
    return [y, ...fs.slice(1), ...bs.slice(1)];
  }

  override twin(): Bidirectional {
    const Ctor = this.forwardLayer.constructor as new (o: Record<string, unknown>) => Recurrent;
    const inner = new Ctor({ ...this.forwardLayer.getConfig(), name: this.forwardLayer.name.replace(/^forward_/, '') });
    return new Bidirectional({ name: this.name, trainable: this.trainable, mergeMode: this.mergeMode, layer: inner });
  }

  plan(planner: Planner, input: Port): Port {
    return this.planNode(planner, [input])[0];
  }

  private planMerge(planner: Planner, input: Port, f: Port): Port {
    this.input = input;
    this.H = this.forwardLayer.units;
    const rows = (f.sequence ? planner.capacity.T : 1) * planner.capacity.B;
    const width = this.mergeMode === 'concat' ? 2 * this.H : this.H;
    this.out = planner.alloc(rows * width);
    this.dout = planner.training ? planner.alloc(rows * width) : 0;
    this.output = this.densePort(this.computeOutputShape(input.shape), f.sequence, this.out, this.dout);
    return this.output;
  }

  private halves(ctx: RunContext): { rows: number; f: Ptr; r: Ptr; df: Ptr | null; dr: Ptr | null } {
    const fp = (this.forwardLayer as unknown as { output: Port }).output, bp = (this.backwardLayer as unknown as { output: Port }).output;
    const f = fp.value(ctx), r = bp.value(ctx);
    const rows = f.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    return { rows, f: f.ptr, r: r.ptr, df: fp.grad(ctx)?.ptr ?? null, dr: bp.grad(ctx)?.ptr ?? null };
  }

  forward(ctx: RunContext): void {
    this.forwardLayer.forward(ctx);
    this.backwardLayer.forward(ctx);
    const k = ctx.kernels, H = this.H, { rows, f, r } = this.halves(ctx), n = rows * H;
    switch (this.mergeMode) {
      case 'concat':
        k.copyRows(this.out, 2 * H, f, H, rows, H);
        k.copyRows(this.out + H * 4, 2 * H, r, H, rows, H);
        break;
      case 'sum':
      case 'ave':
        k.copy(this.out, f, n);
        k.axpy(this.out, 1, r, n);
        if (this.mergeMode === 'ave') k.scale(this.out, 0.5, n);
        break;
      case 'mul':
        k.mul(this.out, f, r, n);
        break;
    }
    this.zeroMasked(ctx, this.out);
  }

  /**
   * Keras Bidirectional(returnSequences) zeroes the outputs at masked steps (zero_output_for_mask) where a
   * plain recurrent layer repeats the previous output; the gradient at those steps is then 0 as well.
   */
  private zeroMasked(ctx: RunContext, p: Ptr): void {
    if (!ctx.mask || !this.forwardLayer.returnSequences) return;
    const W = this.mergeMode === 'concat' ? 2 * this.H : this.H, { T, B } = ctx;
    for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) if (!stepValid(ctx.mask, t, b, T, B)) ctx.kernels.fill(p + (t * B + b) * W * 4, 0, W);
  }

  backward(ctx: RunContext): void {
    const k = ctx.kernels, H = this.H, { rows, f, r, df, dr } = this.halves(ctx), n = rows * H;
    if (df === null || dr === null) return;
    const d = this.dout;
    this.zeroMasked(ctx, d);
    switch (this.mergeMode) {
      case 'concat':
        k.copyRows(df, H, d, 2 * H, rows, H);
        k.copyRows(dr, H, d + H * 4, 2 * H, rows, H);
        break;
      case 'sum':
      case 'ave':
        k.copy(df, d, n);
        k.copy(dr, d, n);
        if (this.mergeMode === 'ave') { k.scale(df, 0.5, n); k.scale(dr, 0.5, n); }
        break;
      case 'mul':
        k.mul(df, d, r, n);
        k.mul(dr, d, f, n);
        break;
    }
    this.forwardLayer.backward(ctx);
    this.backwardLayer.backward(ctx);
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name, trainable: this.trainable, mergeMode: this.mergeMode, layer: { className: this.forwardLayer.className, config: { ...this.forwardLayer.getConfig(), name: this.forwardLayer.name.replace(/^forward_/, '') } } };
  }

  /** Both directions' ‖dL/dh_t‖ (diagnostics). */
  gradientNorms(ctx: { kernels: RunContext['kernels'] }) {
    return { forward: this.forwardLayer.gradientNorms(ctx), backward: this.backwardLayer.gradientNorms(ctx) };
  }
}
