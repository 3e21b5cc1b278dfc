export { CustomersLoaders } from './customers.loaders';
export { CustomersApiModule, CustomersModule } from './customers.module';
export { ContactObject, CustomerObject, TierEnum } from './customers.object';
export { CONTACT_COLUMNS, CUSTOMER_COLUMNS, TIERS } from './customers.rows';
export type { CustomerRow } from './customers.rows';
export { CustomersService } from './customers.service';
export { assertMayChangeCustomer } from './customer-ownership';
export { mrrAtSql, mrrHistoryOf, recordMrrHistory } from './mrr-history';
export {
  FIELD_DEFINITION_COLUMNS,
  FIELD_ENTITIES,
  FIELD_TYPES,
  checkFieldValue,
  checkFieldValues,
  listFieldDefinitions,
} from './custom-field-values';
export type { FieldDefinitionRow, FieldEntity, FieldType } from './custom-field-values';
