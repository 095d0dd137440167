export { lstm_infer } from "../lstm";
export { heap_base } from "../heap";
import { packWeights, inputProjectionPacked, recurrentStepPacked } from "../recurrent-core";
export function steps_only(h: usize, scratch: usize, work: usize, W: usize, U: usize, T: i32, B: i32, D: i32, H: i32): void {
  const G = H << 2;
  const Up = packWeights(work, W, U, D, H, G);
  for (let t = 0; t < T; t++) recurrentStepPacked(scratch + (<usize>(t * B * G) << 2), G, h, U, Up, B, H, G, 0, B);
}
export function proj_only(scratch: usize, work: usize, x: usize, W: usize, U: usize, b: usize, T: i32, B: i32, D: i32, H: i32): void {
  const G = H << 2;
  packWeights(work, W, U, D, H, G);
  inputProjectionPacked(scratch, G, x, W, work, b, T * B, D, G);
}
export function pack_only(work: usize, W: usize, U: usize, D: i32, H: i32): void { packWeights(work, W, U, D, H, H << 2); }
import { activate4 } from "../math";
@inline function row(z: usize, cPrev: usize, cOut: usize, hOut: usize, H: i32, act: i32, ract: i32): void {
  const H4 = <usize>H << 2;
  for (let j = 0; j + 4 <= H; j += 4) {
    const o = <usize>j << 2;
    const p = z + o;
    const gi = activate4(v128.load(p), ract);
    const gf = activate4(v128.load(p + H4), ract);
    const gg = activate4(v128.load(p + 2 * H4), act);
    const go = activate4(v128.load(p + 3 * H4), ract);
    const c = f32x4.add(f32x4.mul(gf, v128.load(cPrev + o)), f32x4.mul(gi, gg));
    v128.store(cOut + o, c);
    v128.store(hOut + o, f32x4.mul(go, activate4(c, act)));
  }
}
function rowDefault(z: usize, c: usize, h: usize, H: i32): void { row(z, c, c, h, H, 1, 2); }
export function pointwise_only(scratch: usize, h: usize, c: usize, T: i32, B: i32, H: i32): void {
  const G = H << 2;
  for (let t = 0; t < T; t++) for (let r = 0; r < B; r++) rowDefault(scratch + (<usize>((t * B + r) * G) << 2), c + (<usize>(r * H) << 2), h + (<usize>(r * H) << 2), H);
}
