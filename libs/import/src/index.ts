export * from './import-mapping';
export * from './import-rows';
export * from './import.module';
export * from './import.object';
export * from './import.repository';
export * from './import.service';
export * from './time-format';
