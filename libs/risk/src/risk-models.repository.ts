import { sql } from 'kysely';
import { Tx, db } from '@staydesk/core';
import type { BandThresholds } from './risk-model';

/** JSON read as text (`col::text`): its keys come back as stored, not camelCased (decision 46). */
export const parseJson = <T>(text: string): T => JSON.parse(text) as T;

/** A model row of risk_models as read for scoring. */
export interface StoredModelRow {
  version: string;
  intercept: number;
  weights: Record<string, number>;
  bands: BandThresholds | null;
}

/**
 * The risk models, their activations and the distribution bands: the base of
 * {@link RiskRepository} (moved out of risk.repository.ts, a pure move; one injectable, as
 * decision 51). Typed builder over `db(tx)`; weights and bands are read as text, as their keys
 * are snake_case factor names that the CamelCasePlugin would rename.
 */
export class RiskModelsRepository {
  /** risk_models rows as read for scoring (weights and bands as text: their keys are snake_case). */
  private async storedModels(tx: Tx, version: string | null): Promise<StoredModelRow | null> {
    let q = db(tx)
      .selectFrom('riskModels')
      .select((eb) => [
        'riskModels.version',
        'riskModels.intercept',
        sql<string>`${eb.ref('riskModels.weights')}::text`.as('weightsText'),
        sql<string | null>`${eb.ref('riskModels.bands')}::text`.as('bandsText'),
      ]);
    q =
      version === null
        ? q.where('riskModels.active', '=', true)
        : q.where('riskModels.version', '=', version);
    const r = await q.executeTakeFirst();
    if (!r) return null;
    return {
      version: r.version,
      intercept: r.intercept,
      weights: parseJson<Record<string, number>>(r.weightsText),
      bands: r.bandsText === null ? null : parseJson<BandThresholds | null>(r.bandsText),
    };
  }

  async activeModel(tx: Tx): Promise<StoredModelRow | null> {
    return this.storedModels(tx, null);
  }

  /** The default model's distribution bands as of the last full rescore (null: none yet). */
  async distributionBands(tx: Tx, modelVersion: string): Promise<BandThresholds | null> {
    const r = await db(tx)
      .selectFrom('riskDistributionBands')
      .select((eb) => sql<string>`${eb.ref('riskDistributionBands.bands')}::text`.as('bandsText'))
      .where('riskDistributionBands.modelVersion', '=', modelVersion)
      .executeTakeFirst();
    return r ? parseJson<BandThresholds | null>(r.bandsText) : null;
  }

  async saveDistributionBands(
    tx: Tx,
    modelVersion: string,
    bands: BandThresholds,
    customers: number,
  ): Promise<void> {
    await db(tx)
      .insertInto('riskDistributionBands')
      .values({ modelVersion, bands: JSON.stringify(bands), customers })
      .onConflict((oc) =>
        oc.column('modelVersion').doUpdateSet((eb) => ({
          bands: eb.ref('excluded.bands'),
          customers: eb.ref('excluded.customers'),
          computedAt: sql<Date>`now()`,
        })),
      )
      .execute();
  }

  async modelByVersion(tx: Tx, version: string): Promise<StoredModelRow | null> {
    return this.storedModels(tx, version);
  }

  /**
   * Makes `version` the active model (null: none, the default weights) and records the
   * activation with the model it replaced, so {@link restorePrevious} can undo it.
   */
  async activate(tx: Tx, version: string | null): Promise<{ previous: string | null }> {
    const k = db(tx);
    const before = await k
      .selectFrom('riskModels')
      .select('riskModels.version')
      .where('riskModels.active', '=', true)
      .forUpdate()
      .execute();
    const previous = before[0]?.version ?? null;
    await k.updateTable('riskModels').set({ active: false }).where('active', '=', true).execute();
    if (version !== null) {
      await k
        .updateTable('riskModels')
        .set({ active: true })
        .where('version', '=', version)
        .execute();
    }
    if (previous !== version) {
      await k
        .insertInto('riskModelActivations')
        .values({ version, previousVersion: previous })
        .execute();
    }
    return { previous };
  }

  /** The model that was active before the current one (undefined: no activation recorded). */
  async previousModel(
    tx: Tx,
  ): Promise<{ current: string | null; previous: string | null } | undefined> {
    const r = await db(tx)
      .selectFrom('riskModelActivations')
      .select(['riskModelActivations.version', 'riskModelActivations.previousVersion'])
      .orderBy('riskModelActivations.id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return r ? { current: r.version, previous: r.previousVersion } : undefined;
  }

  /** Models stored, newest first, with whether each is active. */
  async models(tx: Tx): Promise<{ version: string; active: boolean; createdAt: Date }[]> {
    return db(tx)
      .selectFrom('riskModels')
      .select(['riskModels.version', 'riskModels.active', 'riskModels.createdAt'])
      .orderBy('riskModels.createdAt', 'desc')
      .orderBy('riskModels.version')
      .execute();
  }

  async saveModel(
    tx: Tx,
    m: {
      version: string;
      source: 'default' | 'fitted';
      intercept: number;
      weights: Record<string, number>;
      bands?: BandThresholds | null;
      metrics: unknown;
      activate: boolean;
    },
  ): Promise<void> {
    await sql`
      INSERT INTO risk_models (version, source, intercept, weights, bands, metrics, active)
      VALUES (${m.version}, ${m.source}, ${m.intercept}, ${JSON.stringify(m.weights)},
              ${m.bands ? JSON.stringify(m.bands) : null},
              ${m.metrics === undefined || m.metrics === null ? null : JSON.stringify(m.metrics)}, false)
      ON CONFLICT (version) DO UPDATE SET intercept = EXCLUDED.intercept, weights = EXCLUDED.weights,
        bands = EXCLUDED.bands, metrics = EXCLUDED.metrics`.execute(db(tx));
    if (m.activate) await this.activate(tx, m.version);
  }
}
