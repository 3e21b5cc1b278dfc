import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { forbidden } from '@staydesk/core';
import { IdentityService } from '@staydesk/identity';
import { boolParam, httpActor, listParam, numberParam, sendCsv, sendError } from '@staydesk/kpis';
import { RISK_CSV_HEADER, riskCsvValues } from './retention-view';
import { SnoozeFilter } from './retention-rules';
import { RetentionService } from './retention.service';

/**
 * `GET /exports/risk-list.csv?orderBy=score&mine=true&bands=high,critical&tiers=…&mrrMin=…&mrrMax=…
 * &renewalWithinDays=…&risingDays=…&hasOpenFollowUp=…&snoozed=…&changeDays=…` with
 * `Authorization: Bearer <token>`: the whole risk list (every page, in order) as CSV, streamed
 * page by page from the database, recorded in the audit log. Account managers and admins.
 */
@Controller('exports')
export class RiskListExportController {
  constructor(
    private readonly retention: RetentionService,
    private readonly identity: IdentityService,
  ) {}

  @Get('risk-list.csv')
  async riskListCsv(
    @Req() req: FastifyRequest,
    @Query() q: Record<string, unknown>,
    @Res() reply: FastifyReply,
  ) {
    try {
      const actor = await httpActor(this.identity, req);
      if (actor.role !== 'account_manager' && actor.role !== 'admin')
        throw forbidden(`a ${actor.role} may not read the churn-risk list`);
      const query = this.retention.query(
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
