import { Injectable } from '@nestjs/common';
import { ExpressionBuilder, RawBuilder, sql } from 'kysely';
import { DB, Tx, compileOnly, db, withParameters } from '@staydesk/core';
import type { RuleActions, RuleCondition, RuleTrigger } from './rule-logic';
import { RuleRunsRepository } from './rules.repository.runs';

export type { AutomationMailRow, CustomerFacts, SavepointName } from './rules.repository.runs';

/** Read on every ticket change (the rules cache's check): compiled once (decision 61). */
const ACTIVE_VERSION = compileOnly
  .selectFrom('automationRulesState')
  .select('automationRulesState.version')
  .where('automationRulesState.id', '=', true)
  .compile();

export interface RuleRow {
  id: string;
  name: string;
  trigger: RuleTrigger;
  conditions: RuleCondition[];
  actions: RuleActions;
  position: number;
  active: boolean;
  stopProcessing: boolean;
  version: number;
  createdById: string | null;
  updatedById: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface EditorRow {
  id: string;
  name: string;
  role: string;
  teamId: string | null;
  teamIds?: string[];
  active: boolean;
}

export type NewRule = Pick<
  RuleRow,
  'name' | 'trigger' | 'conditions' | 'actions' | 'active' | 'stopProcessing'
>;

export interface RuleVersionRow {
  ruleId: string;
  version: number;
  snapshot: NewRule;
  changedById: string | null;
  changedAt: Date;
}

/** The columns of a {@link RuleRow}; `conditions` and `actions` as text (see {@link toRule}). */
function ruleColumns(eb: ExpressionBuilder<DB, 'automationRules'>) {
  return [
    'automationRules.id',
    'automationRules.name',
    'automationRules.trigger',
    sql<string>`${eb.ref('automationRules.conditions')}::text`.as('conditionsText'),
    sql<string>`${eb.ref('automationRules.actions')}::text`.as('actionsText'),
    'automationRules.position',
    'automationRules.active',
    'automationRules.stopProcessing',
    'automationRules.version',
    'automationRules.createdById',
    'automationRules.updatedById',
    'automationRules.createdAt',
    'automationRules.updatedAt',
  ] as const;
}

/**
 * jsonb is read as text and parsed here: the builder's CamelCasePlugin would rename the keys of
 * a jsonb object it returned, and stored JSON must come back exactly as it was written.
 */
function toRule<R extends { conditionsText: string; actionsText: string }>({
  conditionsText,
  actionsText,
  ...r
}: R) {
  return {
    ...r,
    conditions: JSON.parse(conditionsText) as RuleCondition[],
    actions: JSON.parse(actionsText) as RuleActions,
  };
}

/** The next position of a trigger's rules (new rules and rules moved to another trigger go last). */
function nextPosition(eb: ExpressionBuilder<DB, 'automationRules'>, trigger: RuleTrigger) {
  return eb
    .selectFrom('automationRules as p')
    .select((e) => sql<number>`coalesce(max(${e.ref('p.position')}), 0) + 1`.as('next'))
    .where('p.trigger', '=', trigger)
    .where('p.deletedAt', 'is', null)
    .$asScalar();
}

/** The columns a rule's form sets, as written by insert and update. */
function ruleValues(r: NewRule) {
  return {
    name: r.name,
    trigger: r.trigger,
    conditions: JSON.stringify(r.conditions),
    actions: JSON.stringify(r.actions),
    active: r.active,
    stopProcessing: r.stopProcessing,
  };
}

/**
 * SQL of automation rules, their versions, time-rule firings and automatic mails (the last two,
 * with the facts and savepoints of a run, in the base class, rules.repository.runs.ts). CRUD
 * through the typed query builder ({@link db}): tables and columns are checked against the
 * migrated schema (`db.generated.ts`), results against the row types. The set-based statements
 * (the reorder's `unnest`, the time rules' candidate scans) and the savepoints are `sql`
 * templates executed on the same `Tx`, with typed result rows; rules.repository.medium-spec.ts
 * and test/e2e/automation-rules.e2e-spec.ts run them.
 */
@Injectable()
export class RulesRepository extends RuleRunsRepository {
  async list(tx: Tx): Promise<RuleRow[]> {
    const rows = await db(tx)
      .selectFrom('automationRules')
      .select(ruleColumns)
      .where('automationRules.deletedAt', 'is', null)
      .orderBy('automationRules.trigger')
      .orderBy('automationRules.position')
      .orderBy('automationRules.id')
      .execute();
    return rows.map(toRule);
  }

  /** The counter every write to `automation_rules` bumps (a statement trigger). */
  async activeVersion(tx: Tx): Promise<string> {
    const { rows } = await db(tx).executeQuery(withParameters(ACTIVE_VERSION, [true]));
    return rows[0]?.version ?? '0';
  }

  /**
   * Whether the counter still has `version` (as `activeVersion` reads it), as a condition for
   * another statement to check in its own snapshot.
   */
  versionIs(version: string): RawBuilder<boolean> {
    return sql<boolean>`(COALESCE((SELECT version FROM automation_rules_state WHERE id), 0) = ${version}::bigint)`;
  }

  /**
   * The active rules of every change trigger in one read, each with its last editor (the user
   * it acts as), in order (the partial index serves this).
   */
  async activeForChanges(tx: Tx): Promise<(RuleRow & { editor: EditorRow | null })[]> {
    const rows = await db(tx)
      .selectFrom('automationRules')
      .leftJoin('users', 'users.id', 'automationRules.updatedById')
      .select(ruleColumns)
      .select((eb) => [
        'users.id as editorId',
        'users.name as editorName',
        'users.role as editorRole',
        'users.teamId as editorTeamId',
        'users.active as editorActive',
        sql<string[]>`ARRAY(${eb
          .selectFrom('userTeams')
          .select((e) => sql<string>`${e.ref('userTeams.teamId')}::text`.as('teamId'))
          .whereRef('userTeams.userId', '=', 'users.id')})`.as('editorTeamIds'),
      ])
      .where('automationRules.active', '=', true)
      .where('automationRules.deletedAt', 'is', null)
      .where('automationRules.trigger', '<>', 'time')
      .orderBy('automationRules.position')
      .orderBy('automationRules.id')
      .execute();
    return rows.map(
      ({ editorId, editorName, editorRole, editorTeamId, editorActive, editorTeamIds, ...r }) => ({
        ...toRule(r),
        editor:
          editorId === null || editorName === null || editorRole === null || editorActive === null
            ? null
            : {
                id: editorId,
                name: editorName,
                role: editorRole,
                teamId: editorTeamId,
                active: editorActive,
                teamIds: editorTeamIds,
              },
      }),
    );
  }

  /** The active rules of a trigger, in order (the partial index serves this). */
  async active(tx: Tx, trigger: RuleTrigger): Promise<RuleRow[]> {
    const rows = await db(tx)
      .selectFrom('automationRules')
      .select(ruleColumns)
      .where('automationRules.active', '=', true)
      .where('automationRules.deletedAt', 'is', null)
      .where('automationRules.trigger', '=', trigger)
      .orderBy('automationRules.position')
      .orderBy('automationRules.id')
      .execute();
    return rows.map(toRule);
  }

  async byId(tx: Tx, id: string): Promise<RuleRow | null> {
    return this.find(tx, id, false);
  }

  async lock(tx: Tx, id: string): Promise<RuleRow | null> {
    return this.find(tx, id, true);
  }

  private async find(tx: Tx, id: string, lock: boolean): Promise<RuleRow | null> {
    let q = db(tx)
      .selectFrom('automationRules')
      .select(ruleColumns)
      .where('automationRules.id', '=', id)
      .where('automationRules.deletedAt', 'is', null);
    if (lock) q = q.forUpdate();
    const row = await q.executeTakeFirst();
    return row ? toRule(row) : null;
  }

  async insert(tx: Tx, r: NewRule, userId: string): Promise<RuleRow> {
    const row = toRule(
      await db(tx)
        .insertInto('automationRules')
        .values((eb) => ({
          ...ruleValues(r),
          position: nextPosition(eb, r.trigger),
          createdById: userId,
          updatedById: userId,
        }))
        .returning(ruleColumns)
        .executeTakeFirstOrThrow(),
    );
    await this.snapshot(tx, row, userId);
    return row;
  }

  async update(tx: Tx, id: string, r: NewRule, userId: string): Promise<RuleRow> {
    const row = toRule(
      await db(tx)
        .updateTable('automationRules')
        .set((eb) => ({
          ...ruleValues(r),
          version: eb('automationRules.version', '+', 1),
          updatedById: userId,
          updatedAt: sql<Date>`now()`,
          // a rule moved to another trigger goes last there
          position: eb
            .case()
            .when('automationRules.trigger', '=', r.trigger)
            .then(eb.ref('automationRules.position'))
            .else(nextPosition(eb, r.trigger))
            .end(),
        }))
        .where('automationRules.id', '=', id)
        .returning(ruleColumns)
        .executeTakeFirstOrThrow(),
    );
    await this.snapshot(tx, row, userId);
    return row;
  }

  /** Deleting keeps the row and its versions (history events name it); it stops running. */
  async softDelete(tx: Tx, id: string, userId: string): Promise<void> {
    await db(tx)
      .updateTable('automationRules')
      .set({
        deletedAt: sql<Date>`now()`,
        active: false,
        updatedById: userId,
        updatedAt: sql<Date>`now()`,
      })
      .where('automationRules.id', '=', id)
      .execute();
  }

  /** Positions 1, 2, 3 … in the order of `ids`, in one set-based statement. */
  async reorder(tx: Tx, ids: string[]): Promise<void> {
    await sql`
      UPDATE automation_rules r SET position = o.ord, updated_at = now()
        FROM unnest(${ids}::bigint[]) WITH ORDINALITY AS o(id, ord) WHERE r.id = o.id`.execute(
      db(tx),
    );
  }

  async versions(tx: Tx, id: string): Promise<RuleVersionRow[]> {
    const rows = await db(tx)
      .selectFrom('automationRuleVersions')
      .select((eb) => [
        'automationRuleVersions.ruleId',
        'automationRuleVersions.version',
        sql<string>`${eb.ref('automationRuleVersions.snapshot')}::text`.as('snapshotText'),
        'automationRuleVersions.changedById',
        'automationRuleVersions.changedAt',
      ])
      .where('automationRuleVersions.ruleId', '=', id)
      .orderBy('automationRuleVersions.version', 'desc')
      .execute();
    return rows.map(({ snapshotText, ...r }) => ({
      ...r,
      snapshot: JSON.parse(snapshotText) as NewRule,
    }));
  }

  private async snapshot(tx: Tx, row: RuleRow, userId: string) {
    const snapshot: NewRule = {
      name: row.name,
      trigger: row.trigger,
      conditions: row.conditions,
      actions: row.actions,
      active: row.active,
      stopProcessing: row.stopProcessing,
    };
    await db(tx)
      .insertInto('automationRuleVersions')
      .values({
        ruleId: row.id,
        version: row.version,
        snapshot: JSON.stringify(snapshot),
        changedById: userId,
      })
      .execute();
  }

  /** Whether a ticket custom field with this key is defined (a rule's `custom.<key>` condition). */
  async ticketFieldExists(tx: Tx, key: string): Promise<boolean> {
    const row = await db(tx)
      .selectFrom('customFieldDefinitions')
      .select(sql.lit(1).as('one'))
      .where('customFieldDefinitions.entity', '=', 'ticket')
      .where('customFieldDefinitions.key', '=', key)
      .executeTakeFirst();
    return row !== undefined;
  }
}
