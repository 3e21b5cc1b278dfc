import { Injectable } from '@nestjs/common';
import { AuditRepository, TransactionRunner, conflict, notFound } from '@staydesk/core';
import { Actor, validateId } from '@staydesk/identity';
import { ErasureCounts, ErasurePreviewRow, PrivacyRepository } from './privacy.repository';

export interface ErasureResult extends ErasureCounts {
  contactId: string;
  erasedAt: Date;
}

/**
 * Data-subject requests: export everything stored about a contact, or erase them (anonymise in
 * place, irreversibly). Each runs in one transaction with its audit row, which names the contact
 * by id only.
 */
@Injectable()
export class PrivacyService {
  constructor(
    private readonly repo: PrivacyRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditRepository,
  ) {}

  async exportContact(actor: Actor, contactId: string): Promise<Record<string, unknown>> {
    validateId(contactId, 'contactId');
    return this.tx.run(async (tx) => {
      const contact = await this.repo.lockContact(tx, contactId);
      if (!contact) throw notFound('contact', contactId);
      const data = await this.repo.exportData(tx, contactId);
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'contact.export',
        entity: 'contact',
        entityId: contactId,
      });
      return { exportedAt: new Date().toISOString(), ...data };
    });
  }

  /** What eraseContact would anonymise, counted now (nothing is written or audited). */
  async erasurePreview(contactId: string): Promise<ErasurePreviewRow> {
    validateId(contactId, 'contactId');
    const row = await this.repo.erasurePreview(this.tx.db, contactId);
    if (!row) throw notFound('contact', contactId);
    return row;
  }

  async eraseContact(actor: Actor, contactId: string): Promise<ErasureResult> {
    validateId(contactId, 'contactId');
    return this.tx.run(async (tx) => {
      const contact = await this.repo.lockContact(tx, contactId);
      if (!contact) throw notFound('contact', contactId);
      if (contact.erasedAt) {
        throw conflict(
          `contact ${contactId} was already erased on ${contact.erasedAt.toISOString()}`,
        );
      }
      const counts = await this.repo.erase(tx, contactId);
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'contact.erase',
        entity: 'contact',
        entityId: contactId,
        details: { customerId: contact.customerId, ...counts },
      });
      return { contactId, erasedAt: new Date(), ...counts };
    });
  }
}
