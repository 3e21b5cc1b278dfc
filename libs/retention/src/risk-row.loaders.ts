import { Injectable } from '@nestjs/common';
import { LoaderFactory, TransactionRunner } from '@staydesk/core';
import DataLoader from 'dataloader';
import { RiskRowRepository, RowHistoryPoint } from './risk-row.repository';

/** The risk list's per-row loaders: one query per page for each extra (history by window). */
@Injectable()
export class RiskRowLoaders implements LoaderFactory<ReturnType<RiskRowLoaders['build']>> {
  constructor(
    private readonly repo: RiskRowRepository,
    private readonly tx: TransactionRunner,
  ) {}

  create() {
    return this.build();
  }

  private build() {
    const histories = new Map<number, DataLoader<string, RowHistoryPoint[]>>();
    return {
      /** The loader of the recorded scores of the last `days` days (one per window asked for). */
      history: (days: number) => {
        let loader = histories.get(days);
        if (!loader) {
          loader = new DataLoader<string, RowHistoryPoint[]>(
            async (ids) => {
              const since = new Date(Date.now() - days * 86_400_000);
              const rows = await this.repo.history(this.tx.db, ids, since);
              const map = new Map<string, RowHistoryPoint[]>();
              for (const r of rows) map.set(r.customerId, [...(map.get(r.customerId) ?? []), r]);
              return ids.map((id) => map.get(id) ?? []);
            },
            { maxBatchSize: 1000 },
          );
          histories.set(days, loader);
        }
        return loader;
      },
      lastContact: new DataLoader<string, Date | null>(
        async (ids) => {
          const rows = await this.repo.lastContact(this.tx.db, ids);
          const map = new Map(rows.map((r) => [r.customerId, r.at]));
          return ids.map((id) => map.get(id) ?? null);
        },
        { maxBatchSize: 1000 },
      ),
    };
  }
}
