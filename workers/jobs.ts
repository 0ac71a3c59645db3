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
} as const;

export type QueueKey = keyof typeof queues;
export type Payload<K extends QueueKey> = z.infer<(typeof queues)[K]['schema']>;

export function payload<K extends QueueKey>(key: K, data: Payload<K>): Payload<K> {
  return queues[key].schema.parse(data) as Payload<K>;
}
