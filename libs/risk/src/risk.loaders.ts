import { Injectable } from '@nestjs/common';
import { LoaderFactory, byIdLoader } from '@staydesk/core';
import DataLoader from 'dataloader';
import { RiskService } from './risk.service';

@Injectable()
export class RiskLoaders implements LoaderFactory<ReturnType<RiskLoaders['build']>> {
  constructor(private readonly risk: RiskService) {}

  create() {
    return this.build();
  }

  private build() {
    return {
      score: byIdLoader(
        (ids) => this.risk.byCustomerIds(ids),
        (r) => r.customerId,
      ),
      trend: new DataLoader<string, number | null>(async (ids) => {
        const rows = await this.risk.trends(ids);
        const map = new Map(rows.map((r) => [r.customerId, r.trend]));
        return ids.map((id) => map.get(id) ?? null);
      }),
    };
  }
}
