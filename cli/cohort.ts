/**
 * `faceage cohort …`: the cohort workflow's imports and exports for scripting — the same services
 * as the web pages (server/services/), so the same validation, atomicity and audit trail.
 *
 *   faceage cohort list
 *   faceage cohort import-clinical <cohortId> <file.csv> [--date-format iso|mdy|dmy] [--valid-only] [--dry-run] [--as email]
 *   faceage cohort import-photo-log <cohortId> <file.csv> [--date-format …] [--valid-only] [--as email]
 *   faceage cohort upload <cohortId> <photo-or-zip…> [--as email]
 *   faceage cohort run <cohortId> [--age-model id] [--as email]
 *   faceage cohort export <cohortId> --kind analysis|paper|predictions|consort [-o file] [--age-model id] [--as email]
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { Db } from '~/server/db/client.ts';

async function actor(database: Db, email: string | undefined, roles: string[]): Promise<string | null> {
  if (!email) return null;
  const user = await database.user.findUnique({ where: { email: email.trim().toLowerCase() } });
  if (!user || !user.active) throw new Error(`no active user ${email}`);
  if (!roles.includes(user.role)) throw new Error(`${email} is a ${user.role}; this needs one of ${roles.join(', ')}`);
  return user.id;
}

const STAFF = ['admin', 'coordinator'];
const READ = ['admin', 'coordinator', 'analyst'];
type DateFormat = 'iso' | 'mdy' | 'dmy';

function dateFormatOf(v: string | undefined): DateFormat | undefined {
  if (v === undefined) return undefined;
  if (v !== 'iso' && v !== 'mdy' && v !== 'dmy') throw new Error('--date-format must be iso, mdy or dmy');
  return v;
}

function printProblems(problems: { line: number; column: string; message: string }[]) {
  for (const p of problems.slice(0, 200)) process.stderr.write(`  line ${p.line}, column ${p.column}: ${p.message}\n`);
  if (problems.length > 200) process.stderr.write(`  … and ${problems.length - 200} more\n`);
}

export function registerCohortCommands(program: Command) {
  const cohort = program.command('cohort').description('cohort workflow: clinical and photo-log imports, photo uploads, FaceAge runs, exports');

  cohort
    .command('list')
    .description('list studies and cohorts with their ids')
    .action(async () => {
      const { withDatabase } = await import('./database.ts');
      await withDatabase(async (database) => {
        const cohorts = await database.cohort.findMany({ include: { study: true, _count: { select: { patients: true, photos: true } } }, orderBy: { createdAt: 'asc' } });
        for (const c of cohorts) process.stdout.write(`${c.id}\t${c.study.name} / ${c.name}${c.isSynthetic ? ' (SYNTHETIC)' : ''}\t${c._count.patients} patients\t${c._count.photos} photos\n`);
      });
    });

  cohort
    .command('import-clinical <cohortId> <file>')
    .description('import a clinical CSV (REDCap/hospital export); uses the cohort\'s remembered or suggested column mapping')
    .option('--date-format <fmt>', 'iso, mdy or dmy (default: detected)')
    .option('--valid-only', 'import the valid rows and write the rejected ones to <file>.rejected.csv')
    .option('--dry-run', 'only list the problems')
    .option('--as <email>', 'user to record in the audit trail')
    .action(async (cohortId: string, file: string, opts: { dateFormat?: string; validOnly?: boolean; dryRun?: boolean; as?: string }) => {
      const csvText = fs.readFileSync(file, 'utf8');
      const { withDatabase } = await import('./database.ts');
      const { commitClinicalImport, previewClinicalImport } = await import('~/server/services/imports.ts');
      await withDatabase(async (database) => {
        const userId = await actor(database, opts.as, STAFF);
        const preview = await previewClinicalImport(database, { cohortId, csvText, dateFormat: dateFormatOf(opts.dateFormat) });
        const mapped = Object.entries(preview.mapping.core).filter(([, c]) => c).map(([f, c]) => `${f}←${c}`).join(', ');
        process.stdout.write(`${preview.rowCount} rows; date format ${preview.dateFormat}${preview.dateDetection.ambiguous ? ' (ambiguous: confirm with --date-format)' : ''}; mapping ${mapped}\n`);
        if (preview.problems.length) {
          process.stderr.write(`${preview.problems.length} problem(s) in ${preview.rejectedCount} row(s):\n`);
          printProblems(preview.problems);
        }
        if (opts.dryRun) return;
        const res = await commitClinicalImport(database, { cohortId, csvText, mapping: preview.mapping, dateFormat: preview.dateFormat, mode: opts.validOnly ? 'valid' : 'all' }, userId);
        if (res.rejectedCsv) {
          const out = `${file.replace(/\.csv$/i, '')}.rejected.csv`;
          fs.writeFileSync(out, res.rejectedCsv);
          process.stdout.write(`rejected rows written to ${out}\n`);
        }
        process.stdout.write(`imported: ${res.created} new, ${res.updated} updated, ${res.unchanged} unchanged, ${res.rejected} rejected\n`);
      });
    });

  cohort
    .command('import-photo-log <cohortId> <file>')
    .description('import a photo log CSV (photo id / file name / sha256 ↔ record id, photo date)')
    .option('--date-format <fmt>', 'iso, mdy or dmy (default: detected)')
    .option('--valid-only', 'import the valid rows only')
    .option('--as <email>', 'user to record in the audit trail')
    .action(async (cohortId: string, file: string, opts: { dateFormat?: string; validOnly?: boolean; as?: string }) => {
      const { withDatabase } = await import('./database.ts');
      const { importPhotoLog } = await import('~/server/services/photo-log.ts');
      await withDatabase(async (database) => {
        const userId = await actor(database, opts.as, STAFF);
        const res = await importPhotoLog(database, { cohortId, csvText: fs.readFileSync(file, 'utf8'), dateFormat: dateFormatOf(opts.dateFormat), mode: opts.validOnly ? 'valid' : 'all' }, userId).catch((err) => {
          throw err;
        });
        if (res.problems.length) printProblems(res.problems);
        process.stdout.write(`photo log: ${res.validCount} of ${res.rowCount} rows imported; ${res.matched} photos re-matched\n`);
      });
    });

  cohort
    .command('upload <cohortId> <files...>')
    .description('upload photos (and .zip archives of photos) into the cohort')
    .option('--as <email>', 'user to record in the audit trail')
    .action(async (cohortId: string, files: string[], opts: { as?: string }) => {
      const { withDatabase } = await import('./database.ts');
      const { auditUploadBatch, ingestPhoto, ingestZip, photoStore } = await import('~/server/services/photos.ts');
      await withDatabase(async (database) => {
        const userId = await actor(database, opts.as, STAFF);
        if (!(await database.cohort.findUnique({ where: { id: cohortId } }))) throw new Error('cohort not found');
        const store = photoStore();
        const results: Awaited<ReturnType<typeof ingestPhoto>>[] = [];
        for (const f of files) {
          const rs = /\.zip$/i.test(f) ? await ingestZip(database, store, cohortId, path.resolve(f), userId) : [await ingestPhoto(database, store, cohortId, path.basename(f), fs.readFileSync(f), userId)];
          for (const r of rs) if (r.status !== 'stored') process.stderr.write(`  ${r.fileName}: ${r.status} — ${r.message}\n`);
          results.push(...rs);
        }
        await auditUploadBatch(database, cohortId, userId, results, files.some((f) => /\.zip$/i.test(f)) ? 'zip' : 'file');
        const count = (s: string) => results.filter((r) => r.status === s).length;
        process.stdout.write(`${count('stored')} stored, ${count('duplicate')} duplicates, ${count('rejected')} refused\n`);
      });
    });

  cohort
    .command('run <cohortId>')
    .description('enqueue a FaceAge run (workers do the work; follow it on the cohort\'s Runs page)')
    .option('--age-model <id>', 'age model id (default: the registry default)')
    .option('--as <email>', 'user to record in the audit trail')
    .action(async (cohortId: string, opts: { ageModel?: string; as?: string }) => {
      const { withDatabase } = await import('./database.ts');
      const { startRun } = await import('~/server/services/runs.ts');
      const { getBoss, stopBoss } = await import('~/server/jobs.ts');
      await withDatabase(async (database) => {
        const userId = await actor(database, opts.as, STAFF);
        try {
          const run = await startRun(database, await getBoss(), { cohortId, ageModelId: opts.ageModel }, userId);
          process.stdout.write(`run ${run.id}: ${run.total} photos enqueued (age model ${run.ageModelId})\n`);
        } finally {
          await stopBoss();
        }
      });
    });

  cohort
    .command('export <cohortId>')
    .description('write an export CSV (audited)')
    .requiredOption('--kind <kind>', 'analysis, paper, predictions or consort')
    .option('-o, --output <file>', 'output file (default: stdout)')
    .option('--age-model <id>', 'age model whose estimates to use (default: the latest run\'s)')
    .option('--as <email>', 'user to record in the audit trail')
    .action(async (cohortId: string, opts: { kind: string; output?: string; ageModel?: string; as?: string }) => {
      const { withDatabase } = await import('./database.ts');
      const { EXPORT_KINDS, exportCohort } = await import('~/server/services/exports.ts');
      if (!(EXPORT_KINDS as readonly string[]).includes(opts.kind)) throw new Error(`--kind must be one of ${EXPORT_KINDS.join(', ')}`);
      await withDatabase(async (database) => {
        const userId = await actor(database, opts.as, READ);
        const out = await exportCohort(database, cohortId, opts.kind as (typeof EXPORT_KINDS)[number], userId, { ageModelId: opts.ageModel });
        if (opts.output) {
          fs.writeFileSync(opts.output, out.csv);
          process.stderr.write(`${out.rows} rows written to ${opts.output}\n`);
        } else process.stdout.write(out.csv);
      });
    });
}
