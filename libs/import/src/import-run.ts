import { ExpressionBuilder, Selectable, sql } from 'kysely';
import type { DB } from '@staydesk/core';
import type { ImportKind } from './import-fields';

/** An import run as the service and GraphQL see it, and the columns it is read from. */

export const RUN_STATUSES = ['queued', 'running', 'completed', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const RUN_PHASES = ['reading', 'merging', 'done'] as const;
export type RunPhase = (typeof RUN_PHASES)[number];

export interface ImportRunRow {
  id: string;
  kind: ImportKind;
  source: string;
  fileName: string;
  fingerprint: string;
  options: Record<string, unknown>;
  dryRun: boolean;
  status: RunStatus;
  phase: RunPhase;
  totalBytes: number | null;
  bytesRead: number;
  linesDone: number;
  rowsRead: number;
  created: number;
  updated: number;
  skipped: number;
  rejected: number;
  staged: number;
  casesTotal: number | null;
  casesDone: number;
  mergeCursor: string | null;
  entities: Record<string, number>;
  error: string | null;
  rejectsFile: string | null;
  createdById: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  updatedAt: Date;
}

export interface RejectRow {
  line: number;
  reason: string;
  fields: string[];
}

/** Counter increments of one committed batch. */
export interface Counts {
  rowsRead?: number;
  created?: number;
  updated?: number;
  skipped?: number;
  rejected?: number;
  staged?: number;
  casesDone?: number;
}

/** Every column of a run but its content (the uploaded file, read only by `ImportRepository.content`). */
export function runColumns(eb: ExpressionBuilder<DB, 'importRuns'>) {
  return [
    'importRuns.id',
    'importRuns.kind',
    'importRuns.source',
    'importRuns.fileName',
    'importRuns.fingerprint',
    // jsonb as text: the camelCase plugin would rename the keys of a returned object
    sql<string>`${eb.ref('importRuns.options')}::text`.as('options'),
    'importRuns.dryRun',
    'importRuns.status',
    'importRuns.phase',
    'importRuns.totalBytes',
    'importRuns.bytesRead',
    'importRuns.linesDone',
    'importRuns.rowsRead',
    'importRuns.created',
    'importRuns.updated',
    'importRuns.skipped',
    'importRuns.rejected',
    'importRuns.staged',
    'importRuns.casesTotal',
    'importRuns.casesDone',
    'importRuns.mergeCursor',
    sql<string>`${eb.ref('importRuns.entities')}::text`.as('entities'),
    'importRuns.error',
    'importRuns.rejectsFile',
    'importRuns.createdById',
    'importRuns.createdAt',
    'importRuns.startedAt',
    'importRuns.finishedAt',
    eb.ref('importRuns.updatedAt').as('updatedAt'),
  ] as const;
}

type RunRecord = Omit<Selectable<DB['importRuns']>, 'content'>;

/** bigint byte counts read as strings (node-postgres); the jsonb columns as what we wrote. */
export const toRun = (r: RunRecord): ImportRunRow => ({
  ...r,
  options: JSON.parse(String(r.options ?? '{}')) as Record<string, unknown>,
  entities: JSON.parse(String(r.entities ?? '{}')) as Record<string, number>,
  totalBytes: r.totalBytes === null ? null : Number(r.totalBytes),
  bytesRead: Number(r.bytesRead),
});
