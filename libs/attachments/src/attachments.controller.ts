import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { badInput, forbidden } from '@staydesk/core';
import { IdentityService, TICKET_WORKERS } from '@staydesk/identity';
import { AttachmentsService } from './attachments.service';
import { EXECUTABLE_TYPES } from './sniff';
import { httpActor, sendDomainError } from './http-actor';

/** RFC 6266 Content-Disposition with an ASCII fallback and the UTF-8 name. */
function disposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/**
 * `POST /attachments` (multipart, one `file` field): an agent's upload for a reply or note,
 * answered with its id. `GET /attachments/:id`: the file, always as a download, for a signed-in
 * user who may read the ticket (a private team's ticket's files for that team and admins only).
 */
@Controller('attachments')
export class AttachmentsController {
  constructor(
    private readonly attachments: AttachmentsService,
    private readonly identity: IdentityService,
  ) {}

  @Post()
  async upload(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    try {
      const actor = await httpActor(req, this.identity);
      if (![...TICKET_WORKERS, 'account_manager'].includes(actor.role)) {
        throw forbidden(`a ${actor.role} may not upload attachments`);
      }
      if (!req.isMultipart())
        throw badInput('file', 'send multipart/form-data with a "file" field');
      const file = await req.file({
        limits: { fileSize: this.attachments.limits.maxBytes, files: 1 },
      });
      if (!file || file.fieldname !== 'file')
        throw badInput('file', 'send the file in a field named "file"');
      const bytes = await file.toBuffer().catch((err: { code?: string }) => {
        if (err.code === 'FST_REQ_FILE_TOO_LARGE') {
          throw badInput('file', `must be at most ${this.attachments.limits.maxBytes} bytes`);
        }
        throw err;
      });
      const row = await this.attachments.upload(actor, {
        filename: file.filename,
        declaredType: file.mimetype,
        bytes,
      });
      return reply.status(201).header('cache-control', 'no-store').send({
        id: row.id,
        filename: row.filename,
        size: row.size,
        contentType: row.contentType,
        sha256: row.sha256,
      });
    } catch (err) {
      return sendDomainError(reply, err);
    }
  }

  @Get(':id')
  async download(@Param('id') id: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    try {
      const actor = await httpActor(req, this.identity);
      const { row, bytes } = await this.attachments.download(actor, id);
      const type =
        EXECUTABLE_TYPES.has(row.contentType) || !/^[\w.+-]+\/[\w.+-]+$/.test(row.contentType)
          ? 'application/octet-stream'
          : row.contentType;
      return reply
        .status(200)
        .header('content-type', type)
        .header('content-disposition', disposition(row.filename))
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('cache-control', 'private, no-store')
        .send(bytes);
    } catch (err) {
      return sendDomainError(reply, err);
    }
  }
}
