export { FollowUpsApiModule, FollowUpsModule, FollowUpsWorkerModule } from './followups.module';
export { FollowUpObject } from './followups.object';
export { FollowUpsProcessor } from './followups.processor';
export type { FollowUpRow } from './followups.repository';
export { validateDueAt } from './followups.validation';
export { FollowUpsService } from './followups.service';
