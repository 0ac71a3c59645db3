/** Minimal ONNX graph builder on top of onnx-proto (opset 13). */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export type AttrValue = number | string | number[] | { floats: number[] } | { int: number } | { float: number };

export const OPSET = 13;

export class OnnxBuilder {
  private nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  private inits: InstanceType<typeof onnx.TensorProto>[] = [];
  private inputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  private outputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  private used = new Set<string>();

  /** A fresh tensor name derived from `base`. */
  name(base: string): string {
    const clean = base.replace(/[^A-Za-z0-9_./:-]/g, '_') || 't';
    let n = clean;
    for (let i = 1; this.used.has(n); i++) n = `${clean}_${i}`;
    this.used.add(n);
    return n;
  }

  input(name: string, dims: (number | string | null)[]): string {
    this.used.add(name);
    this.inputs.push(valueInfo(name, dims));
    return name;
  }

  output(name: string, dims: (number | string | null)[]): void {
    this.outputs.push(valueInfo(name, dims));
  }

  /** A float32 initializer. */
  constF(base: string, dims: number[], data: Float32Array | number[]): string {
    const name = this.name(base);
    const arr = data instanceof Float32Array ? data : Float32Array.from(data);
    this.inits.push(
      onnx.TensorProto.create({
        name,
        dims,
        dataType: onnx.TensorProto.DataType.FLOAT,
        rawData: new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength),
      }),
    );
    return name;
  }

  /** An int64 initializer. */
  constI64(base: string, data: number[]): string {
    const name = this.name(base);
    const arr = BigInt64Array.from(data.map((x) => BigInt(x)));
    this.inits.push(
      onnx.TensorProto.create({
        name,
        dims: [data.length],
        dataType: onnx.TensorProto.DataType.INT64,
        rawData: new Uint8Array(arr.buffer),
      }),
    );
    return name;
  }

  /** Add a node; returns its output name (one output). */
  node(op: string, inputs: string[], outBase: string, attrs: Record<string, AttrValue> = {}, outName?: string): string {
    const out = outName ?? this.name(outBase);
    if (outName) this.used.add(outName);
    this.nodes.push(
      onnx.NodeProto.create({
        opType: op,
        input: inputs,
        output: [out],
        name: this.name(`${outBase}/${op}`),
        attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
      }),
    );
    return out;
  }

  /** Rename the producer of `from` so that it writes `to` (used for graph outputs). */
  renameOutput(from: string, to: string): boolean {
    for (const n of this.nodes) {
      const i = n.output.indexOf(from);
      if (i >= 0) {
        n.output[i] = to;
        for (const m of this.nodes) m.input = m.input.map((x) => (x === from ? to : x));
        this.used.add(to);
        return true;
      }
    }
    return false;
  }

  encode(graphName: string, docString: string, metadata: Record<string, string> = {}): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 7,
      producerName: 'faceage-keras-import',
      producerVersion: '1',
      docString,
      opsetImport: [{ domain: '', version: OPSET }],
      metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
      graph: onnx.GraphProto.create({
        name: graphName,
        node: this.nodes,
        initializer: this.inits,
        input: this.inputs,
        output: this.outputs,
      }),
    });
    return onnx.ModelProto.encode(model).finish();
  }

  get nodeCount(): number {
    return this.nodes.length;
  }
}

function valueInfo(name: string, dims: (number | string | null)[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d ?? 'N' })) },
      },
    },
  });
}

function attribute(name: string, v: AttrValue) {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') {
    return Number.isInteger(v) ? { name, type: T.INT, i: v } : { name, type: T.FLOAT, f: v };
  }
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  if ('floats' in v) return { name, type: T.FLOATS, floats: v.floats };
  if ('int' in v) return { name, type: T.INT, i: v.int };
  return { name, type: T.FLOAT, f: v.float };
}
