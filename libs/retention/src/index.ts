export { RetentionApiModule } from './retention.module';
