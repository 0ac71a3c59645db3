import { z } from 'zod';

/**
 * Every queue, its payload schema and its retry policy, in one place. Producers call
 * `payload(queue, data)` before sending; handlers parse again on receipt.
 */
export const queues = {
  selftest: {
    name: 'system-selftest',
    schema: z.object({ nonce: z.string().min(1), requestedBy: z.string().nullable() }),
    options: { retryLimit: 2, retryDelay: 1, expireInSeconds: 60 },
  },
  /** One photo × (detector, age model) of a FaceAge run (workers/handlers/faceage.ts). */
  faceage: {
    name: 'faceage-estimate',
    schema: z.object({ runId: z.string().min(1), photoId: z.string().min(1), detectorId: z.string().min(1), ageModelId: z.string().min(1) }),
    // A killed worker stops heart-beating: its jobs are retried by another worker.
    options: { retryLimit: 5, retryDelay: 5, expireInSeconds: 900, heartbeatSeconds: 20 },
  },
} as const;

export type QueueKey = keyof typeof queues;
export type Payload<K extends QueueKey> = z.infer<(typeof queues)[K]['schema']>;

export function payload<K extends QueueKey>(key: K, data: Payload<K>): Payload<K> {
  return queues[key].schema.parse(data) as Payload<K>;
}
