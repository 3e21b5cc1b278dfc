import { Controller, Get, Query, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AuditRepository, TransactionRunner } from '@staydesk/core';
import { Actor, HttpAuthGuard, HttpUser, IdentityService, Roles } from '@staydesk/identity';
import { dateParam, listParam, sendCsv, sendError } from './csv-export';
import { KPI_CSV_HEADER, kpiCsvValues, toView } from './kpi-format';
import { KpisService } from './kpis.service';

/**
 * `GET /exports/kpis.csv?from=…&to=…&groupBy=team,week&teamIds=…&agentIds=…&channels=…&priorities=…&tiers=…`
 * with `Authorization: Bearer <token>` (or the session cookie): the supportKpis table as CSV,
 * streamed, behind the same authentication, roles and per-user rate limit as the GraphQL query
 * (400/401/403/429 with a JSON body), recorded in the audit log.
 */
@Controller('exports')
@UseGuards(HttpAuthGuard)
export class KpiExportController {
  constructor(
    private readonly kpis: KpisService,
    private readonly identity: IdentityService,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditRepository,
  ) {}

  @Roles('team_lead', 'admin')
  @Get('kpis.csv')
  async exportKpis(
    @HttpUser() actor: Actor,
    @Query() q: Record<string, unknown>,
    @Res() reply: FastifyReply,
  ) {
    try {
      const filter = {
        from: dateParam(q, 'from'),
        to: dateParam(q, 'to'),
        teamIds: listParam(q, 'teamIds'),
        agentIds: listParam(q, 'agentIds'),
        channels: listParam(q, 'channels'),
        priorities: listParam(q, 'priorities'),
        tiers: listParam(q, 'tiers'),
        valueSegments: listParam(q, 'valueSegments'),
      };
      const groupBy = listParam(q, 'groupBy') ?? [];
      const plan = await this.kpis.plan(actor, filter, groupBy);
      await this.tx.run((tx) =>
        this.audit.record(tx, {
          actorId: actor.id,
          action: 'export.kpis',
          entity: 'kpi_table',
          entityId: null,
          details: {
            from: plan.filter.from.toISOString(),
            to: plan.filter.to.toISOString(),
            groupBy,
            filter: plan.filter.values,
          },
        }),
      );
      const kpis = this.kpis;
      const identity = this.identity;
      async function* rows() {
        const all = (await kpis.run(plan)).map(toView);
        // names next to ids (issue 17)
        const ids = (k: 'teamId' | 'agentId') => [
          ...new Set(all.map((r) => r[k]).filter((x): x is string => !!x)),
        ];
        const [teams, users] = await Promise.all([
          identity.teamsByIds(ids('teamId')),
          identity.usersByIds(ids('agentId')),
        ]);
        const names = {
          teams: new Map(teams.map((t) => [t.id, t.name])),
          users: new Map(users.map((u) => [u.id, u.name])),
        };
        for (const r of all) yield kpiCsvValues(r, names);
      }
      return sendCsv(reply, 'kpis.csv', KPI_CSV_HEADER, rows());
    } catch (err) {
      return sendError(reply, err);
    }
  }
}
