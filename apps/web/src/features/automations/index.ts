export { RulesRoute } from './routes/RulesRoute';
export { CustomFieldsRoute } from './routes/CustomFieldsRoute';
export { SavedViewRoute } from './routes/SavedViewRoute';
