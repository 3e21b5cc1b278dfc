import { Field, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { SystemService } from '@staydesk/core';
import { Public } from '@staydesk/identity';

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

@Resolver()
export class SystemResolver {
  constructor(private readonly system: SystemService) {}

  @Public()
  @Query(() => HealthObject, { description: 'Health of the api, its database, Redis and workers.' })
  async health(): Promise<HealthObject> {
    const s = await this.system.status();
    return { status: s.database === 'up' && s.redis === 'up' ? 'ok' : 'degraded', ...s };
  }
}
