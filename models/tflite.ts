/**
 * A small TFLite model reader: just enough of the flatbuffers schema (tensorflow/lite/schema)
 * to list tensors (name, shape, type, constant data) and operators (builtin code, inputs,
 * outputs, a few options). Written against the schema's field slots with the `flatbuffers`
 * runtime; no generated code.
 *
 * Field slots used (vtable offset = 4 + 2 * slot):
 *   Model:        1 operator_codes, 2 subgraphs, 4 buffers
 *   SubGraph:     0 tensors, 1 inputs, 2 outputs, 3 operators, 4 name
 *   Tensor:       0 shape, 1 type, 2 buffer, 3 name
 *   Buffer:       0 data, 1 offset (u64, for >2 GB models), 2 size
 *   Operator:     0 opcode_index, 1 inputs, 2 outputs, 3 builtin_options_type, 4 builtin_options
 *   OperatorCode: 0 deprecated_builtin_code (i8), 3 builtin_code (i32)
 */
import { ByteBuffer } from 'flatbuffers';

export const TensorType = { FLOAT32: 0, FLOAT16: 1, INT32: 2, UINT8: 3, INT64: 4, INT8: 9 } as const;

/** The builtin operators we may meet in the MTCNN models (subset of BuiltinOperator). */
export const BuiltinOp: Record<number, string> = {
  0: 'ADD',
  3: 'CONV_2D',
  4: 'DEPTHWISE_CONV_2D',
  9: 'FULLY_CONNECTED',
  14: 'LOGISTIC',
  17: 'MAX_POOL_2D',
  18: 'MUL',
  19: 'RELU',
  22: 'RESHAPE',
  25: 'SOFTMAX',
  39: 'TRANSPOSE',
  54: 'PRELU',
  59: 'NEG',
  41: 'SUB',
};

export interface TfliteTensor {
  index: number;
  name: string;
  shape: number[];
  type: number;
  /** Constant data (raw bytes) or null for activations. */
  data: Uint8Array | null;
}

export interface TfliteOperator {
  opcode: string;
  builtinCode: number;
  inputs: number[];
  outputs: number[];
  optionsType: number;
  /** Raw access to the options table (position in the buffer), 0 when absent. */
  optionsPos: number;
}

export interface TfliteModel {
  version: number;
  tensors: TfliteTensor[];
  operators: TfliteOperator[];
  inputs: number[];
  outputs: number[];
  bb: ByteBuffer;
}

function field(bb: ByteBuffer, table: number, slot: number): number {
  return bb.__offset(table, 4 + 2 * slot);
}

function tableVector(bb: ByteBuffer, table: number, slot: number): number[] {
  const o = field(bb, table, slot);
  if (!o) return [];
  const start = bb.__vector(table + o);
  const n = bb.__vector_len(table + o);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(bb.__indirect(start + 4 * i));
  return out;
}

function int32Vector(bb: ByteBuffer, table: number, slot: number): number[] {
  const o = field(bb, table, slot);
  if (!o) return [];
  const start = bb.__vector(table + o);
  const n = bb.__vector_len(table + o);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(bb.readInt32(start + 4 * i));
  return out;
}

function str(bb: ByteBuffer, table: number, slot: number): string {
  const o = field(bb, table, slot);
  return o ? (bb.__string(table + o) as string) : '';
}

export function readTflite(bytes: Uint8Array): TfliteModel {
  if (bytes.length < 8 || String.fromCharCode(...bytes.subarray(4, 8)) !== 'TFL3') {
    throw new Error('not a TFLite flatbuffer (missing TFL3 identifier)');
  }
  const bb = new ByteBuffer(bytes);
  const model = bb.readInt32(bb.position()) + bb.position();
  const vo = field(bb, model, 0);
  const version = vo ? bb.readUint32(model + vo) : 0;

  const opcodes = tableVector(bb, model, 1).map((t) => {
    const d = field(bb, t, 0);
    const dep = d ? bb.readInt8(t + d) : 0;
    const b = field(bb, t, 3);
    const code = b ? bb.readInt32(t + b) : 0;
    return Math.max(dep, code);
  });

  const buffers = tableVector(bb, model, 4).map((t) => {
    const o = field(bb, t, 0);
    if (o) {
      const start = bb.__vector(t + o);
      const n = bb.__vector_len(t + o);
      return n ? bytes.subarray(start, start + n) : null;
    }
    const off = field(bb, t, 1);
    const sz = field(bb, t, 2);
    if (off && sz) {
      const offset = Number(bb.readUint64(t + off));
      const size = Number(bb.readUint64(t + sz));
      if (offset > 1 && size > 0) return bytes.subarray(offset, offset + size);
    }
    return null;
  });

  const subgraphs = tableVector(bb, model, 2);
  if (subgraphs.length < 1) throw new Error('TFLite model has no subgraph');
  const sg = subgraphs[0];

  const tensors = tableVector(bb, sg, 0).map((t, index): TfliteTensor => {
    const to = field(bb, t, 1);
    const bo = field(bb, t, 2);
    const bufIdx = bo ? bb.readUint32(t + bo) : 0;
    return {
      index,
      name: str(bb, t, 3),
      shape: int32Vector(bb, t, 0),
      type: to ? bb.readInt8(t + to) : 0,
      data: buffers[bufIdx] ?? null,
    };
  });

  const operators = tableVector(bb, sg, 3).map((t): TfliteOperator => {
    const io = field(bb, t, 0);
    const idx = io ? bb.readUint32(t + io) : 0;
    const code = opcodes[idx];
    const ot = field(bb, t, 3);
    const op = field(bb, t, 4);
    return {
      opcode: BuiltinOp[code] ?? `OP_${code}`,
      builtinCode: code,
      inputs: int32Vector(bb, t, 1),
      outputs: int32Vector(bb, t, 2),
      optionsType: ot ? bb.readUint8(t + ot) : 0,
      optionsPos: op ? bb.__indirect(t + op) : 0,
    };
  });

  return { version, tensors, operators, inputs: int32Vector(bb, sg, 1), outputs: int32Vector(bb, sg, 2), bb };
}

/** Read a scalar field of an operator's options table (e.g. Conv2DOptions slot 0 = padding). */
export function optionInt(m: TfliteModel, op: TfliteOperator, slot: number, bytes: 1 | 4 = 1, dflt = 0): number {
  if (!op.optionsPos) return dflt;
  const o = field(m.bb, op.optionsPos, slot);
  if (!o) return dflt;
  return bytes === 1 ? m.bb.readInt8(op.optionsPos + o) : m.bb.readInt32(op.optionsPos + o);
}

/** A FLOAT32 constant tensor as a Float32Array (copied, so alignment does not matter). */
export function floatData(t: TfliteTensor): Float32Array {
  if (!t.data) throw new Error(`tensor ${t.name} has no constant data`);
  if (t.type !== TensorType.FLOAT32) throw new Error(`tensor ${t.name} is not FLOAT32 (type ${t.type})`);
  const n = t.shape.reduce((a, b) => a * b, 1);
  if (t.data.length !== n * 4) throw new Error(`tensor ${t.name}: ${t.data.length} bytes for shape ${t.shape}`);
  const copy = new Uint8Array(t.data);
  return new Float32Array(copy.buffer, 0, n);
}
