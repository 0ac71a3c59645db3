import { startEmbeddedPostgres } from '../server/db/embedded.ts';
const t0=Date.now();
const db = await startEmbeddedPostgres({ dir: '/tmp/pgt/pg', port: 55432 });
console.log(db.url, Date.now()-t0);
await db.stop();
