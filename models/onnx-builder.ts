/**
 * A tiny ONNX graph builder on top of onnx-proto (protobufjs generated classes).
 * Produces deterministic bytes for the same graph, so built artefacts can be pinned by SHA-256.
 */
import protoPkg from 'onnx-proto';

const { onnx } = protoPkg;

export type AttrValue = number | number[] | string | { float: number } | { floats: number[] };

export interface ValueInfo {
  name: string;
  /** Dimensions; strings are symbolic (dynamic) dimensions. */
  dims: (number | string)[];
}

const INT_ATTRS_AS_FLOAT = new Set(['alpha', 'beta', 'epsilon']);

export class GraphBuilder {
  private nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  private initializers: InstanceType<typeof onnx.TensorProto>[] = [];
  private names = new Set<string>();
  private counter = 0;

  constructor(readonly name: string) {}

  /** A fresh tensor name with the given prefix. */
  fresh(prefix: string): string {
    let n: string;
    do n = `${prefix}_${this.counter++}`;
    while (this.names.has(n));
    return n;
  }

  /** Add a float32 constant. Returns its name. */
  constant(name: string, dims: number[], data: Float32Array | number[]): string {
    const arr = data instanceof Float32Array ? data : Float32Array.from(data);
    const n = dims.reduce((a, b) => a * b, 1);
    if (arr.length !== n) throw new Error(`constant ${name}: ${arr.length} values for dims [${dims}]`);
    if (this.names.has(name)) throw new Error(`duplicate tensor name ${name}`);
    this.names.add(name);
    this.initializers.push(
      onnx.TensorProto.create({
        name,
        dims,
        dataType: onnx.TensorProto.DataType.FLOAT,
        rawData: new Uint8Array(arr.buffer.slice(arr.byteOffset, arr.byteOffset + arr.byteLength)),
      }),
    );
    return name;
  }

  /** Add an int64 constant (shapes, axes). */
  constantInt64(name: string, dims: number[], data: number[]): string {
    if (this.names.has(name)) throw new Error(`duplicate tensor name ${name}`);
    this.names.add(name);
    const buf = new BigInt64Array(data.map((v) => BigInt(v)));
    this.initializers.push(
      onnx.TensorProto.create({
        name,
        dims,
        dataType: onnx.TensorProto.DataType.INT64,
        rawData: new Uint8Array(buf.buffer),
      }),
    );
    return name;
  }

  /** Add a node; returns its (first) output name. */
  node(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, output?: string | string[]): string {
    const outputs = Array.isArray(output) ? output : [output ?? this.fresh(opType.toLowerCase())];
    for (const o of outputs) this.names.add(o);
    const attribute = Object.entries(attrs).map(([k, v]) => attr(k, v));
    this.nodes.push(
      onnx.NodeProto.create({ opType, input: inputs, output: outputs, name: `${opType}_${this.nodes.length}`, attribute }),
    );
    return outputs[0];
  }

  /** Serialise the model. */
  build(inputs: ValueInfo[], outputs: ValueInfo[], opts: { docString?: string; producer?: string } = {}): Uint8Array {
    const graph = onnx.GraphProto.create({
      name: this.name,
      node: this.nodes,
      initializer: this.initializers,
      input: inputs.map(valueInfo),
      output: outputs.map(valueInfo),
    });
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: opts.producer ?? 'faceage-models',
      producerVersion: '1',
      docString: opts.docString ?? '',
      graph,
      opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: 17 })],
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function attr(name: string, v: AttrValue) {
  const A = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return onnx.AttributeProto.create({ name, type: A.STRING, s: new TextEncoder().encode(v) });
  if (Array.isArray(v)) return onnx.AttributeProto.create({ name, type: A.INTS, ints: v });
  if (typeof v === 'object' && 'floats' in v) return onnx.AttributeProto.create({ name, type: A.FLOATS, floats: v.floats });
  if (typeof v === 'object' && 'float' in v) return onnx.AttributeProto.create({ name, type: A.FLOAT, f: v.float });
  if (INT_ATTRS_AS_FLOAT.has(name)) return onnx.AttributeProto.create({ name, type: A.FLOAT, f: v });
  return onnx.AttributeProto.create({ name, type: A.INT, i: v });
}

function valueInfo(v: ValueInfo) {
  return onnx.ValueInfoProto.create({
    name: v.name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: onnx.TensorShapeProto.create({
          dim: v.dims.map((d) =>
            typeof d === 'number'
              ? onnx.TensorShapeProto.Dimension.create({ dimValue: d })
              : onnx.TensorShapeProto.Dimension.create({ dimParam: d }),
          ),
        }),
      }),
    }),
  });
}

/** Permute a 4-D array stored row-major with dims `dims` by `perm` (like numpy.transpose). */
export function permute4(data: Float32Array, dims: number[], perm: number[]): { data: Float32Array; dims: number[] } {
  const nd = perm.map((p) => dims[p]);
  const out = new Float32Array(data.length);
  const stride = [dims[1] * dims[2] * dims[3], dims[2] * dims[3], dims[3], 1];
  const ps = perm.map((p) => stride[p]);
  let o = 0;
  for (let a = 0; a < nd[0]; a++)
    for (let b = 0; b < nd[1]; b++)
      for (let c = 0; c < nd[2]; c++)
        for (let d = 0; d < nd[3]; d++) out[o++] = data[a * ps[0] + b * ps[1] + c * ps[2] + d * ps[3]];
  return { data: out, dims: nd };
}
