export * from './value-rules';
export * from './value.loaders';
export * from './value.module';
export * from './value.object';
export * from './value.repository';
export * from './value.service';
