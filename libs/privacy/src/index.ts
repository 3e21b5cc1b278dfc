export { PrivacyApiModule } from './privacy.module';
