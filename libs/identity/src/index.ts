export { CurrentUser, Public, Roles } from './auth.decorators';
export { addBusinessMinutes } from './business-hours';
export type { WeeklyHours } from './business-hours';
export { IdentityLoaders } from './identity.loaders';
export { IdentitySettingsRepository } from './identity-settings.repository';
export { IdentityApiModule, IdentityModule } from './identity.module';
export { TeamObject, UserObject } from './identity.object';
export { USER_COLUMNS } from './identity.rows';
export { IdentityService } from './identity.service';
export { validateEmail, validateId, validateName } from './identity.validation';
export { passwordResetToken, resetTokenMatches } from './password-reset';
export {
  ACCOUNT_OWNERS,
  EVERYONE,
  ROLES,
  TICKET_WORKERS,
  mayReadNotes,
  mayReadTicket,
} from './roles';
export type { Actor, Role } from './roles';
export { HTTP_STATUS, HttpAuthGuard, HttpUser, httpErrorBody } from './http-auth.guard';
export { requestToken } from './request-token';
export { authenticateRequest } from './auth.guard';
