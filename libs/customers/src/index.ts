export * from './customers.loaders';
export * from './customers.module';
export * from './customers.object';
export * from './customers.repository';
export * from './customers.service';
export * from './customer-ownership';
export * from './mrr-history';
export * from './custom-field-values';
