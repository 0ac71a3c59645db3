import type { Command } from 'commander';

/** `faceage demo`: a clearly labelled synthetic demo cohort (see server/services/demo.ts for the model). */
export function registerDemoCommands(program: Command) {
  program
    .command('demo')
    .description('create a SYNTHETIC demo cohort (no photos, not real patients) so every dashboard has data')
    .option('--patients <n>', 'number of synthetic patients', '1000')
    .option('--seed <n>', 'random seed (same seed, same cohort)', '42')
    .option('--study <name>', 'study to put the cohort in (created when missing)', 'Synthetic demo')
    .action(async (opts: { patients: string; seed: string; study: string }) => {
      const { createDemoCohort, demoOptionsSchema } = await import('~/server/services/demo.ts');
      // validate before touching the database
      const input = demoOptionsSchema.parse({ patients: Number(opts.patients), seed: Number(opts.seed), studyName: opts.study });
      const { withDatabase } = await import('./database.ts');
      const res = await withDatabase((database) => createDemoCohort(database, input, null));
      process.stdout.write(
        `created synthetic demo cohort "${res.name}" (${res.patients} synthetic patients, ${res.events} events) in ${(res.ms / 1000).toFixed(1)} s\n` +
          `cohort id ${res.cohortId}; open /cohorts/${res.cohortId}/analysis\n`,
      );
    });
}
