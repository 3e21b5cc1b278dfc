export { AttachmentsLoaders } from './attachments.loaders';
export { AttachmentsApiModule, AttachmentsModule } from './attachments.module';
export { AttachmentObject } from './attachments.object';
export { AttachmentsService } from './attachments.service';
