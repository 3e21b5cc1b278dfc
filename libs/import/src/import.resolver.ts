import { Inject } from '@nestjs/common';
import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { APP_CONFIG, AppConfig, badInput, notFound } from '@staydesk/core';
import { Actor, CurrentUser, Roles } from '@staydesk/identity';
import { ACTIVITY_EFFECTS, ImportKind } from './import-fields';
import { parseMappingFile } from './import-mapping';
import { previewImport } from './import-upload';
import { StartImportInput } from './import.input';
import {
  ImportKindEnum,
  ImportPreviewObject,
  ImportRejectObject,
  ImportRunObject,
} from './import.object';
import { ImportRunRow } from './import-run';
import { ImportService } from './import.service';

/** Progress in percent: reading by bytes; event logs count reading as the first half. */
function percent(r: ImportRunRow): number {
  if (r.status === 'completed') return 100;
  const read = r.totalBytes ? Math.min(1, r.bytesRead / r.totalBytes) : 0;
  if (r.kind !== 'events') return Math.round(read * 1000) / 10;
  const merged = r.casesTotal ? r.casesDone / r.casesTotal : 0;
  const p = r.phase === 'reading' ? read / 2 : 0.5 + merged / 2;
  return Math.round(p * 1000) / 10;
}

@Resolver(() => ImportRunObject)
export class ImportResolver {
  constructor(
    private readonly service: ImportService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Roles('admin')
  @Query(() => ImportPreviewObject, {
    description:
      'Admins: the first rows of a file in the import folder (e.g. the path POST /imports/uploads answered), a proposed column for each field of the kind, and for event logs the activity names with a proposed effect each. Reads only.',
  })
  async importPreview(
    @Args('path') path: string,
    @Args('kind', { type: () => ImportKindEnum }) kind: ImportKind,
    @Args('activityColumn', {
      type: () => String,
      nullable: true,
      description:
        'Event logs: the column to read activity names from (default: the proposed one).',
    })
    activityColumn?: string | null,
  ) {
    const p = await previewImport(this.config.import.dir, path, kind, activityColumn);
    return { ...p, effects: [...ACTIVITY_EFFECTS] };
  }

  @Roles('admin')
  @Mutation(() => ImportRunObject, {
    description:
      'Admins: queue a history import (customers, tickets or an event log) as a background job. The mapping is checked against the CSV header first: a named column that is missing fails here, before anything is written. Follow it with importRun(id).',
  })
  async startImport(@CurrentUser() actor: Actor, @Args('input') input: StartImportInput) {
    let mapping = {};
    if (input.mapping) {
      mapping = parseMappingFile(JSON.stringify(input.mapping), 'mapping');
    }
    const m = mapping as Record<string, unknown>;
    const run = await this.service.enqueue(actor.id, {
      ...m,
      kind: input.kind,
      content: input.content ?? null,
      path: input.path ?? null,
      fileName: input.fileName ?? null,
      source: input.source ?? (m.source as string | undefined),
      timeFormat: input.timeFormat ?? (m.timeFormat as string | undefined),
      timeZone: input.timeZone ?? (m.timeZone as string | undefined),
      dryRun: input.dryRun ?? false,
    });
    return { ...run, percent: percent(run) };
  }

  @Roles('admin')
  @Query(() => ImportRunObject, { description: 'Admins: one import run and its progress.' })
  async importRun(@Args('id', { type: () => ID }) id: string) {
    const run = await this.service.runById(id);
    if (!run) throw notFound('import run', id);
    return { ...run, percent: percent(run) };
  }

  @Roles('admin')
  @Query(() => [ImportRunObject], { description: 'Admins: the latest import runs, newest first.' })
  async importRuns(
    @Args('first', { type: () => Int, nullable: true, defaultValue: 20 }) first: number,
  ) {
    const runs = await this.service.recentRuns(first);
    return runs.map((r) => ({ ...r, percent: percent(r) }));
  }

  @ResolveField(() => [ImportRejectObject], {
    description:
      'Rejected rows in line order, after the given line (for paging), at most `first` (≤ 500).',
  })
  rejects(
    @Parent() run: ImportRunRow,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 50 }) first: number,
    @Args('afterLine', { type: () => Int, nullable: true, defaultValue: 0 }) afterLine: number,
  ) {
    if (first < 1 || first > 500) throw badInput('first', 'must be from 1 to 500');
    return this.service.rejects(run.id, afterLine, first);
  }
}
