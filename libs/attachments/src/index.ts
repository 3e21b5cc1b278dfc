export * from './attachments.loaders';
export * from './attachments.module';
export * from './attachments.object';
export * from './attachments.repository';
export * from './attachments.service';
export * from './blob-storage';
export * from './http-actor';
export * from './sniff';
