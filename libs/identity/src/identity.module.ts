import { createSecretKey } from 'node:crypto';
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { APP_CONFIG, AppConfig } from '@staydesk/core';
import { OutboxModule } from '@staydesk/outbox';
import { AuthGuard } from './auth.guard';
import { IdentityLoaders } from './identity.loaders';
import { IdentitySettingsRepository } from './identity-settings.repository';
import { IdentityRepository } from './identity.repository';
import { TeamResolver, UserResolver } from './identity.resolver';
import { IdentityService } from './identity.service';

/** Users, teams, sign-in and the service other modules use to read them. */
@Module({
  imports: [
    OutboxModule,
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        // A KeyObject, not the string: given a string, jsonwebtoken first tries (and fails) to
        // parse it as a public key on every verify, a thrown exception per request (~5 % of
        // the api's CPU under createTicket load; see docs/benchmarks.md).
        secret: createSecretKey(Buffer.from(config.auth.jwtSecret)),
        signOptions: { algorithm: 'HS256', issuer: 'staydesk' },
        verifyOptions: { algorithms: ['HS256'], issuer: 'staydesk' },
      }),
    }),
  ],
  providers: [IdentityRepository, IdentityService, IdentityLoaders, IdentitySettingsRepository],
  exports: [IdentityService, IdentityLoaders, IdentitySettingsRepository],
})
export class IdentityModule {}

/** The GraphQL face of identity plus the global auth guard (api only). */
@Module({
  imports: [IdentityModule],
  providers: [UserResolver, TeamResolver, { provide: APP_GUARD, useClass: AuthGuard }],
})
export class IdentityApiModule {}
