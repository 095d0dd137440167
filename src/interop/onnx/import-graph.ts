import type { ImportPlan } from '../assemble.js';
import { UnsupportedModelError } from '../errors.js';
/** ONNX graph → import plan (in progress). */
export async function planOnnx(_bytes: Uint8Array, file: string): Promise<ImportPlan> {
  throw new UnsupportedModelError(file, 'ONNX import is not built yet');
}
