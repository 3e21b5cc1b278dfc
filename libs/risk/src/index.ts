export * from './risk-model';
export * from './risk.loaders';
export * from './risk.module';
export * from './risk.object';
export * from './risk.repository';
export * from './risk.service';
export * from './history-backfill';
