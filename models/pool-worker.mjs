// Worker-thread entry for models/pool.ts: enable TypeScript (tsx) in this thread, then run the worker.
import { register } from 'tsx/esm/api';

register();
await import('./pool-worker-impl.ts');
