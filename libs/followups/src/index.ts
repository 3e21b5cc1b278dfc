export * from './followups.loaders';
export * from './followups.module';
export * from './followups.object';
export * from './followups.processor';
export * from './followups.repository';
export * from './followups.service';
