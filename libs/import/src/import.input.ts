import { Field, InputType } from '@nestjs/graphql';
import { GraphQLJSONObject } from '@staydesk/core';
import { ImportKindEnum } from './import.object';

@InputType({
  description:
    'A history import: CSV content (or, in development or inside IMPORT_DIR, a server path) and how to read it. The same options as `npm run import`.',
})
export class StartImportInput {
  @Field(() => ImportKindEnum) kind!: 'customers' | 'tickets' | 'events';
  @Field(() => String, {
    nullable: true,
    description: 'The CSV text itself (up to the request body limit). Give this or path.',
  })
  content?: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      'A file inside the import folder on the server (IMPORT_DIR; outside production var/import/ by default), relative to it or absolute. Links to files outside it are refused.',
  })
  path?: string | null;
  @Field(() => String, { nullable: true, description: 'Name to show for uploaded content.' })
  fileName?: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      'Source system name (a-z, 0-9, . _ -; default "csv"): external ids are unique per source.',
  })
  source?: string | null;
  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description:
      'A mapping as in docs/import.md: { columns, timeFormat, timeZone, source, activities, values, ignore, nullValues, rename, skipUnmapped }. Explicit arguments win.',
  })
  mapping?: Record<string, unknown> | null;
  @Field(() => String, {
    nullable: true,
    description: 'Timestamp format like "yyyy/MM/dd HH:mm:ss.SSS" (default ISO 8601).',
  })
  timeFormat?: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'Time zone of timestamps without an offset (IANA name, default UTC).',
  })
  timeZone?: string | null;
  @Field(() => Boolean, {
    nullable: true,
    description: 'Report what would change without writing anything.',
  })
  dryRun?: boolean | null;
}
