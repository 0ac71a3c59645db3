import type { Prisma } from '~/generated/prisma/client.ts';
import type { Db } from '../db/client.ts';

type Tx = Pick<Db, 'auditEvent'>;

export interface AuditInput {
  userId?: string | null;
  action: string;
  entityType?: string;
  entityId?: string;
  /** Ids, counts and field names only: never names, dates of birth or other PHI values. */
  details?: Prisma.InputJsonValue;
}

/** Records an audit event; pass the transaction client so the event commits with the change. */
export async function audit(tx: Tx, event: AuditInput): Promise<void> {
  await tx.auditEvent.create({
    data: {
      userId: event.userId ?? null,
      action: event.action,
      entityType: event.entityType,
      entityId: event.entityId,
      details: event.details ?? {},
    },
  });
}
