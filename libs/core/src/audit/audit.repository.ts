import { Injectable } from '@nestjs/common';
import type { Tx } from '../database/transaction';
import type { AuditAction } from './audit-actions';

export interface AuditEntry {
  actorId: string | null;
  action: AuditAction;
  entity: string;
  entityId: string | null;
  details?: Record<string, unknown>;
}

/** The audit log: who did what to which record, written in the same transaction as the change. */
@Injectable()
export class AuditRepository {
  async record(tx: Tx, entry: AuditEntry): Promise<void> {
    await tx.query(
      `INSERT INTO audit_log (actor_id, action, entity, entity_id, details) VALUES ($1, $2, $3, $4, $5)`,
      [entry.actorId, entry.action, entry.entity, entry.entityId, entry.details ?? null],
    );
  }
}
