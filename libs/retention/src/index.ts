export * from './retention-rules';
export * from './retention-view';
export * from './retention.module';
export * from './retention.object';
export * from './retention.repository';
export * from './retention.service';
