export { RetentionRoute } from './routes/RetentionRoute';
