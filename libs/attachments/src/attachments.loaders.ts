import { Injectable } from '@nestjs/common';
import { LoaderFactory, groupLoader } from '@staydesk/core';
import { AttachmentsService } from './attachments.service';

@Injectable()
export class AttachmentsLoaders implements LoaderFactory<ReturnType<AttachmentsLoaders['build']>> {
  constructor(private readonly attachments: AttachmentsService) {}

  create() {
    return this.build();
  }

  private build() {
    return {
      byMessage: groupLoader(
        (ids) => this.attachments.byMessageIds(ids),
        (a) => a.ticketMessageId!,
      ),
    };
  }
}
