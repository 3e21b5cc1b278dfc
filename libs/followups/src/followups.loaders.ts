import { Injectable } from '@nestjs/common';
import { LoaderFactory, byIdLoader } from '@staydesk/core';
import { FollowUpsService } from './followups.service';

@Injectable()
export class FollowUpsLoaders implements LoaderFactory<ReturnType<FollowUpsLoaders['build']>> {
  constructor(private readonly followUps: FollowUpsService) {}

  create() {
    return this.build();
  }

  private build() {
    return {
      followUp: byIdLoader(
        (ids) => this.followUps.byIds(ids),
        (f) => f.id,
      ),
    };
  }
}
