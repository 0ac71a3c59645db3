import type { Command } from 'commander';

// Heavy modules (database client, argon2) load inside the actions, so `faceage --help` is instant.
const roles = ['admin', 'coordinator', 'analyst', 'rater'] as const;

async function readPassword(fromStdin: boolean): Promise<string> {
  if (process.env.FACEAGE_PASSWORD) return process.env.FACEAGE_PASSWORD;
  if (fromStdin || !process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').split('\n')[0];
  }
  // Interactive: read without echo.
  process.stdout.write('Password (at least 10 characters): ');
  process.stdin.setRawMode(true);
  process.stdin.resume();
  let value = '';
  return new Promise((resolve, reject) => {
    process.stdin.on('data', (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          process.stdin.setRawMode(false);
          process.stdin.pause();
          process.stdout.write('\n');
          resolve(value);
          return;
        }
        if (ch === '\u0003') return reject(new Error('cancelled'));
        if (ch === '\u007f') value = value.slice(0, -1);
        else value += ch;
      }
    });
  });
}

export function registerUserCommands(program: Command) {
  const user = program.command('user').description('manage platform users');
  user
    .command('create')
    .description('create a user (e.g. the first admin); the password is prompted, read from stdin, or from FACEAGE_PASSWORD')
    .requiredOption('--email <email>', 'sign-in e-mail')
    .requiredOption('--name <name>', 'full name')
    .option('--role <role>', `one of ${roles.join(', ')}`, 'admin')
    .option('--profession <profession>', 'for raters: oncologist, radiation oncologist, nurse, other…')
    .option('--password-stdin', 'read the password from standard input')
    .action(async (opts: { email: string; name: string; role: string; profession?: string; passwordStdin?: boolean }) => {
      if (!(roles as readonly string[]).includes(opts.role)) throw new Error(`--role must be one of ${roles.join(', ')}`);
      const password = await readPassword(Boolean(opts.passwordStdin));
      // Validate before touching the database, so a typo fails fast and changes nothing.
      const { createUser, newUserSchema } = await import('~/server/services/auth.ts');
      const { withDatabase } = await import('./database.ts');
      const input = newUserSchema.parse({ email: opts.email, name: opts.name, role: opts.role, profession: opts.profession, password });
      const created = await withDatabase((database) => createUser(database, input, null));
      process.stdout.write(`created ${created.role} ${created.email}\n`);
    });
  user
    .command('list')
    .description('list users')
    .action(async () => {
      const { withDatabase } = await import('./database.ts');
      const users = await withDatabase((database) => database.user.findMany({ orderBy: { createdAt: 'asc' } }));
      for (const u of users) process.stdout.write(`${u.role.padEnd(12)} ${u.email}  ${u.name}${u.active ? '' : ' (disabled)'}\n`);
    });
}
