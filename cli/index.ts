import { Command, CommanderError } from 'commander';
import { ZodError } from 'zod';
import { registry } from './commands.ts';

/** Entry point of the `faceage` CLI. Each command module registers itself on the program. */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('faceage')
    .description('FaceAge platform command-line tools')
    .version(process.env.npm_package_version ?? '0.1.0', '-V, --version')
    .showHelpAfterError()
    .exitOverride();
  for (const register of registry) register(program);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    // Expected failures carry a user-facing message; never dump a stack trace on users.
    const message =
      err instanceof ZodError
        ? err.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')
        : err instanceof Error
          ? err.message
          : String(err);
    process.stderr.write(`faceage: ${message}\n`);
    if (process.env.FACEAGE_DEBUG) console.error(err);
    process.exitCode = 1;
  }
}
