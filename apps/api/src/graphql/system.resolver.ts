import { Field, Int, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { JobPublisher, QUEUES, SystemService } from '@staydesk/core';
import { Public, Roles } from '@staydesk/identity';

@ObjectType('WorkerHeartbeat', { description: 'The last sign of life from a worker process.' })
class WorkerHeartbeatObject {
  @Field() workerId!: string;
  @Field() seenAt!: Date;
  @Field() jobsDone!: number;
}

@ObjectType('Health', { description: 'State of the service and its dependencies.' })
class HealthObject {
  @Field({ description: '"ok" when PostgreSQL and Redis both answer, "degraded" otherwise.' })
  status!: string;
  @Field() database!: string;
  @Field() redis!: string;
  @Field(() => String, { nullable: true, description: 'Newest applied migration.' })
  schemaVersion!: string | null;
  @Field(() => WorkerHeartbeatObject, { nullable: true })
  lastWorkerHeartbeat!: WorkerHeartbeatObject | null;
}

@ObjectType('QueueStats', {
  description: 'Jobs of one background queue by state (failed jobs stay visible here).',
})
class QueueStatsObject {
  @Field() queue!: string;
  @Field(() => Int) waiting!: number;
  @Field(() => Int) active!: number;
  @Field(() => Int) delayed!: number;
  @Field(() => Int) failed!: number;
  @Field(() => Int, {
    description: 'Completed jobs still kept in Redis (the newest 1,000 per job type).',
  })
  completed!: number;
}

@Resolver()
export class SystemResolver {
  constructor(
    private readonly system: SystemService,
    private readonly publisher: JobPublisher,
  ) {}

  @Roles('team_lead', 'admin')
  @Query(() => [QueueStatsObject], {
    description: 'Team leads and admins: background job counts per queue.',
  })
  async queueStats(): Promise<QueueStatsObject[]> {
    return Promise.all(
      QUEUES.map(async (queue) => {
        const c = await this.publisher
          .queue(queue)
          .getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
        return {
          queue,
          waiting: c.waiting ?? 0,
          active: c.active ?? 0,
          delayed: c.delayed ?? 0,
          failed: c.failed ?? 0,
          completed: c.completed ?? 0,
        };
      }),
    );
  }

  @Public()
  @Query(() => HealthObject, { description: 'Health of the api, its database, Redis and workers.' })
  async health(): Promise<HealthObject> {
    const s = await this.system.status();
    return { status: s.database === 'up' && s.redis === 'up' ? 'ok' : 'degraded', ...s };
  }
}
