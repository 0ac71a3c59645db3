import { startEmbeddedIfNeeded } from '~/server/runtime.ts';
import { startWorker } from './worker.ts';

/** `npm run worker`: one worker process; with no DATABASE_URL it expects `npm start`'s database. */
const database = await startEmbeddedIfNeeded({ role: 'worker' });
const worker = await startWorker(database.url);
console.log(`[worker ${worker.id}] ready`);
let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  await worker.stop();
  await database.stop();
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
