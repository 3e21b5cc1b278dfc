import {
  Field,
  Float,
  GraphQLISODateTime,
  ID,
  Int,
  ObjectType,
  registerEnumType,
} from '@nestjs/graphql';
import { GraphQLJSONObject, enumOf } from '@staydesk/core';
import { IMPORT_KINDS } from './import-fields';
import { RUN_PHASES, RUN_STATUSES } from './import-run';

export const ImportKindEnum = enumOf(IMPORT_KINDS);
registerEnumType(ImportKindEnum, {
  name: 'ImportKind',
  description:
    'customers: one row per customer. tickets: one row per ticket. events: one row per ticket event (a process-mining style log); tickets and their history are rebuilt from it.',
});
export const ImportStatusEnum = enumOf(RUN_STATUSES);
registerEnumType(ImportStatusEnum, {
  name: 'ImportStatus',
  description:
    'queued: waiting for a worker. running: in progress. completed: done (see the counters). failed: stopped with an error; running the same import again resumes it.',
});
export const ImportPhaseEnum = enumOf(RUN_PHASES);
registerEnumType(ImportPhaseEnum, {
  name: 'ImportPhase',
  description:
    'reading: streaming the CSV (bytesRead of totalBytes). merging: event logs only, rebuilding tickets case by case (casesDone of casesTotal). done.',
});

@ObjectType('ImportReject', { description: 'A CSV row that was not imported, and why.' })
export class ImportRejectObject {
  @Field(() => Int, {
    description: 'Line of the input file the row ends on (the header is line 1).',
  })
  line!: number;
  @Field({ description: 'What is wrong with it, naming the field.' }) reason!: string;
  @Field(() => [String], { description: 'The row as it was read (empty for unreadable CSV).' })
  fields!: string[];
}

@ObjectType('ImportRun', {
  description:
    'One history import and its progress. Counters are rows of the input: read = created + updated + skipped + rejected once it is completed.',
})
export class ImportRunObject {
  @Field(() => ID) id!: string;
  @Field(() => ImportKindEnum) kind!: string;
  @Field({ description: 'The system the data came from; external ids are unique per source.' })
  source!: string;
  @Field({ description: 'The server path, or the name given with uploaded content.' })
  fileName!: string;
  @Field({ description: 'A dry run reports what would change and writes nothing.' })
  dryRun!: boolean;
  @Field(() => ImportStatusEnum) status!: string;
  @Field(() => ImportPhaseEnum) phase!: string;
  @Field(() => Float, { nullable: true, description: 'Size of the input in bytes.' })
  totalBytes!: number | null;
  @Field(() => Float, { description: 'Bytes of the input read so far.' }) bytesRead!: number;
  @Field(() => Int, { description: 'Data rows read (the header not counted).' }) rowsRead!: number;
  @Field(() => Int, { description: 'Rows that created a record.' }) created!: number;
  @Field(() => Int, { description: 'Rows that changed an existing record.' }) updated!: number;
  @Field(() => Int, {
    description:
      'Rows that changed nothing (unchanged since the last import, or an ignored activity).',
  })
  skipped!: number;
  @Field(() => Int, { description: 'Rows refused (see rejects).' }) rejected!: number;
  @Field(() => Int, { nullable: true, description: 'Event logs: cases (tickets) to rebuild.' })
  casesTotal!: number | null;
  @Field(() => Int, { description: 'Event logs: cases rebuilt so far.' }) casesDone!: number;
  @Field(() => Float, {
    description: 'Progress from 0 to 100 (reading counts as the first half for event logs).',
  })
  percent!: number;
  @Field(() => GraphQLJSONObject, {
    description:
      'Records touched, by kind: ticketsCreated, ticketsUpdated, ticketsUnchanged, customersCreated, customersUpdated, customersSinceMovedBack (customer since moved back to an earlier imported ticket), contactsCreated, ticketEvents, statusChanges; and casesStartedSolved (event logs: cases whose first event is a solve or close with no opened_at before it, so they count as solved at once).',
  })
  entities!: Record<string, number>;
  @Field(() => String, { nullable: true, description: 'Why the run failed, if it did.' })
  error!: string | null;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) startedAt!: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) finishedAt!: Date | null;
}

@ObjectType('ImportFieldSuggestion', {
  description: 'A field of an import kind and the column proposed for it.',
})
export class ImportFieldSuggestionObject {
  @Field() field!: string;
  @Field() required!: boolean;
  @Field() description!: string;
  @Field(() => String, {
    nullable: true,
    description: 'The proposed header column (null: none alike enough).',
  })
  column!: string | null;
  @Field(() => Float, {
    description: "1 for a name the importer recognises by itself; else the names' similarity.",
  })
  score!: number;
}

@ObjectType('ImportActivity', { description: 'An activity name of an event log and its rows.' })
export class ImportActivityObject {
  @Field() name!: string;
  @Field(() => Int) rows!: number;
  @Field(() => String, {
    nullable: true,
    description: 'The proposed effect (created, agent_reply, …, ignore); null: choose one.',
  })
  suggestion!: string | null;
}

@ObjectType('ImportPreview', {
  description: 'The first rows of an import file and a proposed mapping (reads only).',
})
export class ImportPreviewObject {
  @Field() path!: string;
  @Field(() => [String]) header!: string[];
  @Field(() => [[String]], { description: 'Up to 10 data rows after the header.' })
  rows!: string[][];
  @Field(() => [ImportFieldSuggestionObject]) columns!: ImportFieldSuggestionObject[];
  @Field(() => String, { nullable: true, description: 'Event logs: the activity column read.' })
  activityColumn!: string | null;
  @Field(() => [ImportActivityObject], {
    description: 'Event logs: activity names by rows, most frequent first.',
  })
  activities!: ImportActivityObject[];
  @Field({
    description: 'False when the file was longer than the scan (100 000 rows, 200 names).',
  })
  activitiesComplete!: boolean;
  @Field(() => [String], { description: 'The effects an activity may map to.' })
  effects!: string[];
}
