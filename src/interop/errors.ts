// Errors of the interop importers/exporters. Every message names the part of the source that is at fault:
// the layer (class and name), the ONNX node (op and name), the file entry or HDF5 path, the tensor.
import { FusedRnnError } from '../index.js';

/**
 * The source is a valid model file, but it uses a layer, option or operator fused-rnn cannot run (or a
 * target format cannot express). `where` names the layer (`LSTM "encoder"`) or node (`Loop "loop_3"`).
 */
export class UnsupportedModelError extends FusedRnnError {
  constructor(readonly where: string, readonly what: string) {
    super(`${where}: ${what}`);
  }
}

/**
 * The source is damaged or not what it claims to be: a truncated zip, an unreadable HDF5 file, a missing
 * weight shard, a tensor of the wrong shape or size. `part` names the entry, path, shard or tensor.
 */
export class ModelFileError extends FusedRnnError {
  constructor(readonly part: string, readonly what: string) {
    super(`${part}: ${what}`);
  }
}
