import { Inject, Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import {
  APP_CONFIG,
  AppConfig,
  AuditRepository,
  JobPublisher,
  TransactionRunner,
  badInput,
  conflict,
  notFound,
} from '@staydesk/core';
import { validateId } from '@staydesk/identity';
import { ImportKind } from './import-fields';
import { ImportInputError } from './import-mapping';
import {
  ImportRequest,
  Prepared,
  confineToImportFolder,
  prepareImport,
} from './import-preparation';
import { writeRejectsFile } from './import-rejects';
import { ImportProgress, ImportWork, progressOf } from './import-work';
import { ImportMergeRepository } from './import-merge.repository';
import { ImportRunRow, RejectRow } from './import-run';
import { ImportRepository } from './import.repository';
import { TimeFormatError } from './time-format';

export type { ImportRequest } from './import-preparation';
export type { ImportProgress } from './import-work';

export interface ImportSummary extends ImportProgress {
  kind: ImportKind;
  fileName: string;
  dryRun: boolean;
  resumed: boolean;
  rejectsFile: string | null;
  entities: Record<string, number>;
  durationMs: number;
}

/** Raised inside a dry run's transaction to roll everything back once the counts are known. */
class DryRunRollback extends Error {}

/**
 * History import (customers, tickets, ticket event logs) from CSV, for the CLI and the worker
 * alike. Streams the file in batches, each committed with the run's resume point; event logs
 * are staged, then merged case by case into tickets whose status history is rebuilt from the
 * log. Imported history sends no surveys and writes no outbox events: one full risk rescoring
 * is enqueued when an import completes ({@link afterImportCompleted}).
 */
@Injectable()
export class ImportService {
  constructor(
    private readonly repo: ImportRepository,
    private readonly merge: ImportMergeRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditRepository,
    private readonly jobs: JobPublisher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectPinoLogger(ImportService.name) private readonly logger: PinoLogger,
  ) {}

  // ---- entry points -----------------------------------------------------------------------

  /** Runs an import to the end in this process (the CLI), resuming an unfinished run of the same input. */
  async run(
    request: ImportRequest,
    onProgress?: (p: ImportProgress) => void,
  ): Promise<ImportSummary> {
    const prepared = await prepareImport(request);
    const existing = prepared.options.dryRun
      ? null
      : await this.repo.resumable(this.tx.db, prepared.fingerprint);
    const run = existing ?? (await this.createRun(prepared, 'running'));
    return this.execute(run, prepared, !!existing, onProgress);
  }

  /** Checks an import (options, mapping against the header) and queues it as a job (GraphQL). */
  async enqueue(actorId: string, request: ImportRequest): Promise<ImportRunRow> {
    const hasPath = !!request.path;
    const hasContent = request.content != null && request.content !== '';
    if (hasPath === hasContent) {
      throw badInput('input', 'give either path (a file on the server) or content (the CSV text)');
    }
    if (hasPath)
      request = {
        ...request,
        path: await confineToImportFolder(this.config.import.dir, request.path!),
      };
    const prepared = await prepareImport({ ...request, actorId }).catch((err: unknown) => {
      throw this.asDomainError(err);
    });
    const run = await this.createRun(prepared, 'queued');
    await this.jobs.publish('imports.run', { runId: run.id });
    return run;
  }

  /** The job: runs (or resumes, after a crash or a retry) a queued import. */
  async runQueued(runId: string): Promise<ImportSummary> {
    const run = await this.repo.byId(this.tx.db, runId);
    if (!run) throw notFound('import run', runId);
    if (run.status === 'completed') return this.summary(run, false, 0);
    const stored = run.options as unknown as ImportRequest;
    // checked again: the file may have been replaced (by a link elsewhere) since it was queued
    if (stored.path) {
      stored.path = await confineToImportFolder(this.config.import.dir, stored.path).catch(
        async (err: Error) => {
          await this.repo.fail(this.tx.db, runId, err.message);
          throw err;
        },
      );
    }
    const content = stored.path ? null : await this.repo.content(this.tx.db, runId);
    const prepared = await prepareImport({ ...stored, content, actorId: run.createdById });
    return this.execute(run, prepared, run.status !== 'queued');
  }

  runById(id: string): Promise<ImportRunRow | null> {
    validateId(id);
    return this.repo.byId(this.tx.db, id);
  }

  recentRuns(limit: number): Promise<ImportRunRow[]> {
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      throw badInput('first', 'must be from 1 to 100');
    return this.repo.recent(this.tx.db, limit);
  }

  rejects(runId: string, afterLine: number, limit: number): Promise<RejectRow[]> {
    return this.repo.rejects(this.tx.db, runId, afterLine, limit);
  }

  /**
   * THE hook point "after an import completes" (real runs that changed something; never dry
   * runs). Imported history bypasses the outbox (no CSAT survey per historic solve, no rescore
   * per ticket), so whatever derived data must reflect it is refreshed here, once per import:
   * today one full churn-risk rescoring. KPI rollups (a `kpi:rebuild`) belong here too.
   */
  async afterImportCompleted(run: ImportRunRow): Promise<void> {
    await this.jobs.publish('risk.rescore-all', {}, { jobId: `import-${run.id}-risk` });
    // Imported tickets keep their historic updated_at, which the worker's incremental KPI
    // refresh (a watermark on tickets.updated_at) never sees: rebuild facts and cells.
    await this.jobs.publish('kpi.rebuild', {}, { jobId: `import-${run.id}-kpi` });
  }

  // ---- preparation ------------------------------------------------------------------------

  private asDomainError(err: unknown): unknown {
    if (err instanceof ImportInputError) return badInput(err.field, err.message);
    if (err instanceof TimeFormatError) return badInput('timeFormat', err.message);
    return err;
  }

  private createRun(p: Prepared, status: 'queued' | 'running'): Promise<ImportRunRow> {
    const { content: _c, actorId: _a, ...stored } = p.request;
    void _c;
    void _a;
    return this.repo.createRun(this.tx.db, {
      kind: p.options.kind,
      source: p.options.source,
      fileName: p.fileName,
      fingerprint: p.fingerprint,
      options: { ...stored, path: p.path } as Record<string, unknown>,
      dryRun: p.options.dryRun,
      totalBytes: p.totalBytes,
      content: p.content,
      createdById: p.request.actorId ?? null,
      status,
    });
  }

  // ---- execution --------------------------------------------------------------------------

  private async execute(
    initial: ImportRunRow,
    p: Prepared,
    resumed: boolean,
    onProgress?: (p: ImportProgress) => void,
  ): Promise<ImportSummary> {
    const started = performance.now();
    try {
      // The lock lives in a transaction held for the whole import: a second process (or a
      // retried job) cannot work the same run, and a killed process releases it at once.
      return await this.tx.run(async (lockTx) => {
        if (!(await this.repo.tryLock(lockTx, initial.id))) {
          throw conflict(
            `import run ${initial.id} of ${p.fileName} is being worked by another process; wait for it or stop it`,
          );
        }
        let run = await this.repo.start(this.tx.db, initial.id);
        const work = new ImportWork(this.repo, this.merge, this.tx, p, run, onProgress);
        if (p.options.dryRun) {
          await this.tx
            .run(async (dry) => {
              await work.perform(dry);
              throw new DryRunRollback();
            })
            .catch((err: unknown) => {
              if (!(err instanceof DryRunRollback)) throw err;
            });
        } else {
          await work.perform(null);
        }
        const rejectsFile = await writeRejectsFile(this.repo, this.tx.db, run, p);
        run = await this.repo.finish(this.tx.db, run.id, rejectsFile);
        await this.audit.record(this.tx.db, {
          actorId: run.createdById,
          action: p.options.dryRun ? 'import.dry_run' : 'import.completed',
          entity: 'import_run',
          entityId: run.id,
          details: {
            kind: run.kind,
            source: run.source,
            file: run.fileName,
            read: run.rowsRead,
            created: run.created,
            updated: run.updated,
            skipped: run.skipped,
            rejected: run.rejected,
          },
        });
        if (!p.options.dryRun && run.created + run.updated > 0) {
          await this.afterImportCompleted(run).catch((err: Error) =>
            this.logger.warn(
              { err, runId: run.id },
              'import done, but the follow-up rescoring could not be queued (the nightly run will catch up)',
            ),
          );
        }
        return this.summary(run, resumed, Math.round(performance.now() - started));
      });
    } catch (err) {
      const message = (err as Error).message ?? String(err);
      await this.repo.fail(this.tx.db, initial.id, message).catch(() => undefined);
      throw this.asDomainError(err) as Error;
    }
  }

  private summary(run: ImportRunRow, resumed: boolean, durationMs: number): ImportSummary {
    const { runId, ...progress } = progressOf(run);
    return {
      runId,
      kind: run.kind,
      fileName: run.fileName,
      dryRun: run.dryRun,
      resumed,
      ...progress,
      rejectsFile: run.rejectsFile,
      entities: run.entities,
      durationMs,
    };
  }
}
