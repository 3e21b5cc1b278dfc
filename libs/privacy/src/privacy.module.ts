import { Module } from '@nestjs/common';
import { PrivacyRepository } from './privacy.repository';
import { PrivacyResolver } from './privacy.resolver';
import { PrivacyService } from './privacy.service';

/** Data-subject requests: export and erasure of a contact's personal data. */
@Module({
  providers: [PrivacyRepository, PrivacyService],
  exports: [PrivacyService],
})
export class PrivacyModule {}

/** The GraphQL face of privacy (api). */
@Module({
  imports: [PrivacyModule],
  providers: [PrivacyResolver],
})
export class PrivacyApiModule {}
