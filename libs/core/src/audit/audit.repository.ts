import { Injectable } from '@nestjs/common';
import type { Tx } from '../database/transaction';
import { db } from '../database/typed-sql';
import type { AuditAction } from './audit-actions';

export interface AuditEntry {
  actorId: string | null;
  action: AuditAction;
  entity: string;
  entityId: string | null;
  details?: Record<string, unknown>;
}

/**
 * The audit log: who did what to which record, written in the same transaction as the change
 * (the typed query builder over the caller's {@link Tx}; `details` is stored as JSON text, keys
 * unchanged).
 */
@Injectable()
export class AuditRepository {
  async record(tx: Tx, entry: AuditEntry): Promise<void> {
    await db(tx)
      .insertInto('auditLog')
      .values({
        actorId: entry.actorId,
        action: entry.action,
        entity: entry.entity,
        entityId: entry.entityId,
        details: entry.details === undefined ? null : JSON.stringify(entry.details),
      })
      .execute();
  }
}
