import { startEmbeddedPostgres } from '../server/db/embedded.ts';
const db = await startEmbeddedPostgres({ dir: '/tmp/pgt/pg', port: 55432 });
console.log(db.url);
process.on('SIGTERM', async () => { await db.stop(); process.exit(0); });
setInterval(() => {}, 1000);
