import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig, TransactionRunner, Tx, badInput, notFound } from '@staydesk/core';
import { Actor, IdentityService, mayReadTicket, validateId } from '@staydesk/identity';
import { AttachmentRow, AttachmentsRepository } from './attachments.repository';
import { BlobStorage } from './blob-storage';
import { sanitizeFilename, sniffContentType } from './sniff';

export interface IncomingFile {
  filename: string | null | undefined;
  declaredType: string | null | undefined;
  bytes: Buffer;
}

/** Attachments: stored once by content, limited in size and count, read only by who may read the ticket. */
@Injectable()
export class AttachmentsService {
  constructor(
    private readonly repo: AttachmentsRepository,
    private readonly storage: BlobStorage,
    private readonly tx: TransactionRunner,
    private readonly identity: IdentityService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get limits() {
    return this.config.attachments;
  }

  byMessageIds(ids: readonly string[]) {
    return this.repo.byMessageIds(this.tx.db, ids);
  }

  /** An agent's upload for a coming reply (linked when the reply references its id). */
  async upload(actor: Actor, file: IncomingFile): Promise<AttachmentRow> {
    if (file.bytes.length > this.config.attachments.maxBytes) {
      throw badInput('file', `must be at most ${this.config.attachments.maxBytes} bytes`);
    }
    const stored = await this.storeBytes(file);
    return this.repo.insert(this.tx.db, {
      ...stored,
      ticketMessageId: null,
      uploadedById: actor.id,
    });
  }

  /**
   * Inbound mail's attachments, in the filing transaction: the first ATTACHMENTS_PER_MESSAGE
   * within the size limit are kept (the raw message keeps every byte); returns what was skipped.
   */
  async storeForMessage(
    tx: Tx,
    messageId: string,
    files: IncomingFile[],
  ): Promise<{ kept: number; skipped: string[] }> {
    const skipped: string[] = [];
    let kept = 0;
    for (const f of files) {
      const name = sanitizeFilename(f.filename);
      if (kept >= this.config.attachments.perMessage) {
        skipped.push(`${name} (more than ${this.config.attachments.perMessage} attachments)`);
        continue;
      }
      if (f.bytes.length > this.config.attachments.maxBytes) {
        skipped.push(`${name} (larger than ${this.config.attachments.maxBytes} bytes)`);
        continue;
      }
      const stored = await this.storeBytes(f);
      await this.repo.insert(tx, { ...stored, ticketMessageId: messageId, uploadedById: null });
      kept++;
    }
    return { kept, skipped };
  }

  /** Links uploads to a reply in the reply's transaction; every id must be the actor's own unused upload. */
  async linkToMessage(tx: Tx, actor: Actor, ids: string[], messageId: string): Promise<void> {
    if (ids.length === 0) return;
    const unique = [...new Set(ids.map((id) => validateId(id, 'attachmentIds')))];
    if (unique.length > this.config.attachments.perMessage) {
      throw badInput(
        'attachmentIds',
        `at most ${this.config.attachments.perMessage} attachments per message`,
      );
    }
    const linked = await this.repo.link(tx, unique, messageId, actor.id);
    if (linked.length !== unique.length) {
      const missing = unique.filter((id) => !linked.includes(id));
      throw badInput(
        'attachmentIds',
        `attachment ${missing.join(', ')} is not an upload of yours that is still unused`,
      );
    }
  }

  /** The bytes of an attachment, if the signed-in user may read its ticket (`mayReadTicket`). */
  async download(actor: Actor, id: string): Promise<{ row: AttachmentRow; bytes: Buffer }> {
    validateId(id);
    const row = await this.repo.forAccess(this.tx.db, id);
    if (!row) throw notFound('attachment', id);
    if (row.ticketMessageId === null) {
      // an upload not sent yet is its uploader's (and admins') only
      if (row.uploadedById !== actor.id && actor.role !== 'admin') throw notFound('attachment', id);
    } else if (row.teamId) {
      // a file of a private team's ticket (reply, customer's or note): its members and admins
      // only, NOT_FOUND for the rest as for the ticket itself
      const [team] = await this.identity.teamsByIds([row.teamId]);
      if (!mayReadTicket(actor, team ?? null)) throw notFound('attachment', id);
    }
    return { row, bytes: await this.storage.get(row.sha256) };
  }

  readBytes(sha256: string) {
    return this.storage.get(sha256);
  }

  private async storeBytes(f: IncomingFile) {
    const sha256 = await this.storage.put(f.bytes);
    return {
      sha256,
      size: f.bytes.length,
      contentType: sniffContentType(f.bytes),
      declaredType: f.declaredType?.slice(0, 200) ?? null,
      filename: sanitizeFilename(f.filename),
    };
  }
}
