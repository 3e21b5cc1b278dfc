import { Injectable } from '@nestjs/common';
import { LoaderFactory, byIdLoader } from '@staydesk/core';
import { IdentityService } from './identity.service';

@Injectable()
export class IdentityLoaders implements LoaderFactory<ReturnType<IdentityLoaders['build']>> {
  constructor(private readonly identity: IdentityService) {}

  create() {
    return this.build();
  }

  private build() {
    return {
      user: byIdLoader(
        (ids) => this.identity.usersByIds(ids),
        (u) => u.id,
      ),
      team: byIdLoader(
        (ids) => this.identity.teamsByIds(ids),
        (t) => t.id,
      ),
    };
  }
}
