import { Module } from '@nestjs/common';
import { IdentityModule } from '@staydesk/identity';
import { AttachmentsController } from './attachments.controller';
import { AttachmentsLoaders } from './attachments.loaders';
import { AttachmentsRepository } from './attachments.repository';
import { AttachmentsService } from './attachments.service';
import { BlobStorage, LocalDiskStorage } from './blob-storage';

@Module({
  imports: [IdentityModule],
  providers: [
    AttachmentsRepository,
    AttachmentsService,
    AttachmentsLoaders,
    { provide: BlobStorage, useClass: LocalDiskStorage },
  ],
  exports: [AttachmentsService, AttachmentsLoaders],
})
export class AttachmentsModule {}

/** api: upload and download routes. */
@Module({ imports: [AttachmentsModule, IdentityModule], controllers: [AttachmentsController] })
export class AttachmentsApiModule {}
