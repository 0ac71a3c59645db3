#!/usr/bin/env node
// Thin launcher: the CLI is TypeScript, run through tsx's loader so no build step is needed.
import { register } from 'tsx/esm/api';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

register();
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const { main } = await import(path.join(root, 'cli', 'index.ts'));
await main(process.argv);
// Exit explicitly: library exit hooks (embedded PostgreSQL) must not override the status.
process.exit(process.exitCode ?? 0);
