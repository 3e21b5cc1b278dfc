import { Injectable } from '@nestjs/common';
import type { Tx } from '@staydesk/core';
import type { DomainEvent } from './events';
import { OutboxRepository } from './outbox.repository';

/** What domain services use: `await outbox.record(tx, { type, payload })` inside their transaction. */
@Injectable()
export class OutboxService {
  constructor(private readonly repo: OutboxRepository) {}

  record(tx: Tx, event: DomainEvent): Promise<string> {
    return this.repo.add(tx, event);
  }
}
