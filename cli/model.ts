/**
 * `faceage model …`: import / fetch the FaceAge Keras model, list registered models, choose the
 * default age model.
 */
import type { Command } from 'commander';
import { listModels, modelLabel, resolveModelPath, setDefaultAgeModel, type ModelEntry } from '../models/registry.ts';
import { FACEAGE_RELEASE_URL, h5ShaOf } from '../models/keras/constants.ts';
// The converter (onnxruntime, HDF5) is loaded only by the commands that need it.
import type { ImportResult } from '../models/keras/import.ts';

function printImport(r: ImportResult, json: boolean): void {
  if (json) {
    process.stdout.write(JSON.stringify({ ...r, entry: { ...r.entry, onnxPath: resolveModelPath(r.entry.onnxPath) } }, null, 2) + '\n');
    return;
  }
  const c = r.conversion;
  process.stdout.write(
    [
      `imported ${r.entry.id}${r.entry.isDefault ? ' (default age model)' : ''}`,
      `  name:        ${r.entry.name}`,
      `  kind:        ${r.entry.kind} (FaceAge research model)`,
      `  keras:       ${r.kerasVersion ?? '?'} (${r.backend ?? '?'} backend), ${c.layerCount} layers`,
      `  .h5 sha256:  ${r.h5Sha256}`,
      `  onnx sha256: ${r.onnxSha256}`,
      `  onnx:        ${r.onnxPath} (${c.nodeCount} nodes; ${c.foldedBatchNorms} BatchNorm + ${c.foldedScaleSums} ScaleSum folded)`,
      `  input:       160×160 RGB, NHWC, per-image standardisation`,
      r.entry.isDefault ? '' : `  make it the default with: faceage model default ${r.entry.id}`,
    ]
      .filter(Boolean)
      .join('\n') + '\n',
  );
}

export function modelListJson(models: ModelEntry[] = listModels()) {
  return models.map((m) => ({
    id: m.id,
    role: m.role,
    name: m.name,
    kind: m.kind,
    label: modelLabel(m),
    sha256: m.sha256,
    h5Sha256: m.kind === 'faceage' ? h5ShaOf(m) : null,
    onnxPath: resolveModelPath(m.onnxPath),
    inputSpec: m.inputSpec,
    isDefault: m.isDefault,
    builtin: m.builtin,
    origin: m.origin,
    licence: m.licence,
    createdAt: m.createdAt ?? null,
  }));
}

export function registerModelCommands(program: Command): void {
  const model = program.command('model').description('age and detector models: import the FaceAge Keras model, list, choose the default');

  model
    .command('import')
    .description('convert a FaceAge Keras .h5 (e.g. faceage_model.h5) to ONNX and register it')
    .argument('<file.h5>', 'Keras model file written by model.save()')
    .option('--name <name>', 'display name')
    .option('--id <id>', 'registry id (default: faceage-keras-<h5 sha256 prefix>)')
    .option('--default', 'make it the default age model')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, o: { name?: string; id?: string; default?: boolean; json?: boolean }) => {
      const { importKerasModel } = await import('../models/keras/import.ts');
      const r = await importKerasModel(file, { name: o.name, id: o.id, makeDefault: !!o.default });
      printImport(r, !!o.json);
    });

  model
    .command('fetch')
    .description(`download and import a published model (faceage: ${FACEAGE_RELEASE_URL})`)
    .argument('<which>', "model to fetch: 'faceage'")
    .option('--url <url>', 'download from this URL instead (a mirror)')
    .option('--name <name>', 'display name')
    .option('--default', 'make it the default age model')
    .option('--json', 'print the result as JSON')
    .action(async (which: string, o: { url?: string; name?: string; default?: boolean; json?: boolean }) => {
      if (which !== 'faceage') throw new Error(`unknown model '${which}': the only fetchable model is 'faceage'`);
      const { fetchFaceAgeModel } = await import('../models/keras/import.ts');
      const r = await fetchFaceAgeModel({ url: o.url, name: o.name, makeDefault: !!o.default, log: (m) => process.stderr.write(m + '\n') });
      printImport(r, !!o.json);
    });

  model
    .command('list')
    .description('list registered models (detector, baseline and imported age models)')
    .option('--json', 'print a JSON array')
    .action((o: { json?: boolean }) => {
      const rows = modelListJson();
      if (o.json) {
        process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
        return;
      }
      for (const r of rows) {
        const flag = r.isDefault ? '*' : ' ';
        process.stdout.write(`${flag} ${r.id.padEnd(36)} ${r.role.padEnd(8)} ${r.kind.padEnd(8)} ${r.sha256.slice(0, 12)}  ${r.name}\n`);
      }
      process.stdout.write('(* = default; baseline = apparent-age model, not FaceAge)\n');
    });

  model
    .command('default')
    .description('make an age model the default for predictions and cohort runs')
    .argument('<id>', 'model id (see `faceage model list`)')
    .action((id: string) => {
      try {
        setDefaultAgeModel(id);
      } catch (err) {
        throw new Error(`${(err as Error).message}\n  next step: run \`faceage model list\` to see the registered ids`);
      }
      const m = listModels().find((x) => x.id === id)!;
      process.stdout.write(`default age model: ${modelLabel(m)}\n`);
    });
}
