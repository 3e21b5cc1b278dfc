import { Controller, Get, Query, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Actor, HttpAuthGuard, HttpUser, Roles } from '@staydesk/identity';
import { boolParam, listParam, numberParam, sendCsv, sendError } from '@staydesk/kpis';
import { RISK_CSV_HEADER, riskCsvValues } from './retention-view';
import { SnoozeFilter } from './retention-rules';
import { RetentionService } from './retention.service';

/**
 * `GET /exports/risk-list.csv?orderBy=score&mine=true&bands=high,critical&tiers=…&mrrMin=…&mrrMax=…
 * &renewalWithinDays=…&risingDays=…&hasOpenFollowUp=…&snoozed=…&changeDays=…` with
 * `Authorization: Bearer <token>` (or the session cookie), behind the same authentication, roles and
 * per-user rate limit as GraphQL: the whole risk list (every page, in order) as CSV, streamed
 * page by page from the database, recorded in the audit log. Account managers and admins.
 */
@Controller('exports')
@UseGuards(HttpAuthGuard)
export class RiskListExportController {
  constructor(private readonly retention: RetentionService) {}

  @Roles('account_manager', 'admin')
  @Get('risk-list.csv')
  async exportRiskList(
    @HttpUser() actor: Actor,
    @Query() q: Record<string, unknown>,
    @Res() reply: FastifyReply,
  ) {
    try {
      const query = this.retention.riskQuery(
        actor,
        {
          mine: boolParam(q, 'mine'),
          accountManagerId: listParam(q, 'accountManagerId')?.[0],
          bands: listParam(q, 'bands'),
          tiers: listParam(q, 'tiers'),
          mrrMin: numberParam(q, 'mrrMin'),
          mrrMax: numberParam(q, 'mrrMax'),
          renewalWithinDays: numberParam(q, 'renewalWithinDays'),
          risingDays: numberParam(q, 'risingDays'),
          hasOpenFollowUp: boolParam(q, 'hasOpenFollowUp'),
          snoozed: listParam(q, 'snoozed')?.[0] as SnoozeFilter | undefined,
          valueSegments: listParam(q, 'valueSegments'),
        },
        listParam(q, 'orderBy')?.[0],
        numberParam(q, 'changeDays'),
      );
      await this.retention.recordExport(actor, query);
      const rows = this.retention.allRows(query);
      async function* lines() {
        for await (const r of rows) yield riskCsvValues(r);
      }
      return sendCsv(reply, 'risk-list.csv', RISK_CSV_HEADER, lines());
    } catch (err) {
      return sendError(reply, err);
    }
  }
}
