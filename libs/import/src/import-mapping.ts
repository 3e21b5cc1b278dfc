import { load as loadYaml } from 'js-yaml';
import {
  ACTIVITY_EFFECTS,
  ActivityEffect,
  DEFAULT_ACTIVITIES,
  FIELDS,
  IMPORT_KINDS,
  ImportKind,
} from './import-fields';

export interface ImportOptions {
  kind: ImportKind;
  /** Names the system the data comes from; external ids are unique per source. */
  source: string;
  /** Field → CSV column. */
  columns: Record<string, string>;
  timeFormat?: string;
  timeZone: string;
  /** Activity name (case-insensitive) → effect; "*" is the fallback for unknown activities. */
  activities: Record<string, ActivityEffect>;
  /** Per enum field: source value (case-insensitive) → our value. */
  values: Record<string, Record<string, string>>;
  /** Columns neither mapped nor kept as custom fields (a name, or `#N` for the N-th column). */
  ignore: string[];
  /** Cell values that mean "no value" (compared trimmed, any case); the empty string always does. */
  nullValues: string[];
  /** Header renames by position (`#N` → new name), e.g. to tell two columns of one name apart. */
  rename: Record<string, string>;
  /** Keep only mapped columns: unmapped ones are not kept as custom fields. */
  skipUnmapped: boolean;
  dryRun: boolean;
}

/** A problem with the options or the mapping: nothing was written. */
export class ImportInputError extends Error {
  constructor(
    message: string,
    readonly field = 'mapping',
  ) {
    super(message);
    this.name = 'ImportInputError';
  }
}

const SOURCE = /^[a-z0-9][a-z0-9_.-]{0,49}$/;
/** A column given by its position in the header: `#1` is the first column. */
const POSITION = /^#([1-9]\d{0,3})$/;

/** `a=B,created_at=Complete Timestamp` → { a: 'B', created_at: 'Complete Timestamp' }. */
export function parseMapFlag(flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of flag.split(/,(?=\s*[A-Za-z_]+\s*=)/)) {
    if (!part.trim()) continue;
    const eq = part.indexOf('=');
    if (eq < 1) throw new ImportInputError(`--map: "${part}" is not field=Column`, 'map');
    out[part.slice(0, eq).trim()] = part
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
  }
  return out;
}

/** Reads a mapping file's text (JSON, or YAML when it does not start with "{"). */
export function parseMappingFile(text: string, name = 'mapping file'): Partial<RawOptions> {
  let raw: unknown;
  try {
    raw = text.trimStart().startsWith('{') ? JSON.parse(text) : loadYaml(text);
  } catch (err) {
    throw new ImportInputError(
      `${name} is neither valid JSON nor YAML: ${(err as Error).message.split('\n')[0]}`,
      'mapping',
    );
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ImportInputError(`${name} must be an object with "columns", …`, 'mapping');
  }
  const allowed = [
    'columns',
    'timeFormat',
    'timeZone',
    'source',
    'activities',
    'values',
    'ignore',
    'nullValues',
    'rename',
    'skipUnmapped',
  ];
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key)) {
      throw new ImportInputError(
        `${name}: unknown key "${key}" (allowed: ${allowed.join(', ')})`,
        'mapping',
      );
    }
  }
  return raw as Partial<RawOptions>;
}

export interface RawOptions {
  kind: string;
  source?: string;
  columns?: Record<string, unknown>;
  timeFormat?: string;
  timeZone?: string;
  activities?: Record<string, unknown>;
  values?: Record<string, Record<string, unknown>>;
  ignore?: unknown[];
  nullValues?: unknown[];
  rename?: Record<string, unknown>;
  skipUnmapped?: boolean;
  dryRun?: boolean;
}

const isStringMap = (v: unknown): v is Record<string, string> =>
  !!v &&
  typeof v === 'object' &&
  !Array.isArray(v) &&
  Object.values(v).every((x) => typeof x === 'string');

/** Validates options from flags and a mapping file (flags win) into {@link ImportOptions}. */
export function resolveOptions(raw: RawOptions): ImportOptions {
  if (!IMPORT_KINDS.includes(raw.kind as ImportKind)) {
    throw new ImportInputError(
      `kind must be one of ${IMPORT_KINDS.join(', ')} (got "${raw.kind}")`,
      'kind',
    );
  }
  const kind = raw.kind as ImportKind;
  const source = (raw.source ?? 'csv').trim().toLowerCase();
  if (!SOURCE.test(source)) {
    throw new ImportInputError(
      `source must be 1-50 characters of a-z, 0-9, . _ - (got "${raw.source}")`,
      'source',
    );
  }
  const columns = raw.columns ?? {};
  if (!isStringMap(columns))
    throw new ImportInputError('columns must map field names to column names', 'map');
  const known = FIELDS[kind].map((x) => x.name);
  for (const field of Object.keys(columns)) {
    if (!known.includes(field)) {
      throw new ImportInputError(
        `"${field}" is not a ${kind} field (fields: ${known.join(', ')})`,
        'map',
      );
    }
  }
  const activities: Record<string, ActivityEffect> = { ...DEFAULT_ACTIVITIES };
  if (raw.activities !== undefined) {
    if (!isStringMap(raw.activities))
      throw new ImportInputError('activities must map activity names to effects', 'activities');
    for (const [name, effect] of Object.entries(raw.activities)) {
      if (!ACTIVITY_EFFECTS.includes(effect as ActivityEffect)) {
        throw new ImportInputError(
          `activity "${name}" maps to "${effect}", which is not one of ${ACTIVITY_EFFECTS.join(', ')}`,
          'activities',
        );
      }
      activities[name.trim().toLowerCase()] = effect as ActivityEffect;
    }
  }
  const values: Record<string, Record<string, string>> = {};
  for (const [field, map] of Object.entries(raw.values ?? {})) {
    if (!isStringMap(map))
      throw new ImportInputError(`values.${field} must map source values to ours`, 'values');
    values[field] = Object.fromEntries(
      Object.entries(map).map(([k, v]) => [k.trim().toLowerCase(), v]),
    );
  }
  const ignore = raw.ignore ?? [];
  if (!Array.isArray(ignore) || !ignore.every((x) => typeof x === 'string'))
    throw new ImportInputError('ignore must be a list of column names', 'ignore');
  const nullValues = raw.nullValues ?? [];
  if (!Array.isArray(nullValues) || !nullValues.every((x) => typeof x === 'string'))
    throw new ImportInputError(
      'nullValues must be a list of cell values that mean "no value", like ["?", "NULL", "N/A"]',
      'nullValues',
    );
  const rename = raw.rename ?? {};
  if (!isStringMap(rename))
    throw new ImportInputError('rename must map column positions ("#3") to new names', 'rename');
  for (const [at, name] of Object.entries(rename)) {
    if (!POSITION.test(at.trim()))
      throw new ImportInputError(
        `rename: "${at}" is not a column position like "#3" (the header's third column)`,
        'rename',
      );
    if (!name.trim()) throw new ImportInputError(`rename: ${at} needs a new name`, 'rename');
  }
  if (raw.skipUnmapped !== undefined && typeof raw.skipUnmapped !== 'boolean')
    throw new ImportInputError('skipUnmapped must be true or false', 'skipUnmapped');
  return {
    kind,
    source,
    columns,
    timeFormat: raw.timeFormat || undefined,
    timeZone: raw.timeZone || 'UTC',
    activities,
    values,
    ignore: ignore as string[],
    nullValues: [...new Set((nullValues as string[]).map((v) => v.trim().toLowerCase()))].filter(
      Boolean,
    ),
    rename: Object.fromEntries(Object.entries(rename).map(([k, v]) => [k.trim(), v.trim()])),
    skipUnmapped: raw.skipUnmapped ?? false,
    dryRun: raw.dryRun ?? false,
  };
}

const norm = (s: string) =>
  s
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '_');

export interface ResolvedHeader {
  /** Field name → column index. */
  index: Record<string, number>;
  /** Columns kept as custom fields: [name, index]. */
  extras: [string, number][];
}

/**
 * Matches the header against the mapping. A named column that is missing, or a required field
 * with no column, stops the import before anything is written, naming the header's columns.
 * Columns may be named by position (`#3`). A name that two columns share is refused unless the
 * mapping tells them apart: each of them renamed, mapped or ignored by position.
 */
export function resolveHeader(options: ImportOptions, raw: string[]): ResolvedHeader {
  const header = raw.map((h, i) => options.rename[`#${i + 1}`] ?? h);
  for (const at of Object.keys(options.rename)) {
    if (Number(at.slice(1)) > raw.length)
      throw new ImportInputError(
        `rename: the header has ${raw.length} columns, so there is no column ${at}`,
        'rename',
      );
  }
  const listed = header.map((h) => `"${h}"`).join(', ');
  const position = (ref: string, what: string): number | null => {
    const m = POSITION.exec(ref.trim());
    if (!m) return null;
    const i = Number(m[1]) - 1;
    if (i >= header.length)
      throw new ImportInputError(
        `column ${ref.trim()} (${what}) is past the end of the header, which has ${header.length} columns: ${listed}`,
        'map',
      );
    return i;
  };
  const byPosition = new Set<number>();
  const ignoredAt = new Set<number>();
  for (const ref of options.ignore) {
    const i = position(ref, 'ignored');
    if (i !== null) {
      byPosition.add(i);
      ignoredAt.add(i);
    }
  }
  const index: Record<string, number> = {};
  const used = new Set<number>();
  for (const spec of FIELDS[options.kind]) {
    const named = options.columns[spec.name];
    if (named === undefined) continue;
    let i = position(named, `mapped to ${spec.name}`) ?? header.indexOf(named);
    if (i >= 0 && POSITION.test(named.trim())) byPosition.add(i);
    if (i < 0) i = header.findIndex((h) => norm(h) === norm(named));
    if (i < 0) {
      throw new ImportInputError(
        `column "${named}" (mapped to ${spec.name}) is not in the header; the header's columns are ${listed}`,
        'map',
      );
    }
    if (used.has(i)) {
      const other = Object.keys(index).find((k) => index[k] === i);
      throw new ImportInputError(
        `column "${header[i]}" is mapped to both ${other} and ${spec.name}`,
        'map',
      );
    }
    index[spec.name] = i;
    used.add(i);
  }
  // the same name twice: the second would silently stand for the first (or overwrite it)
  const seen = new Map<string, number[]>();
  header.forEach((h, i) => {
    if (!h.trim()) return;
    seen.set(norm(h), [...(seen.get(norm(h)) ?? []), i]);
  });
  for (const at of seen.values()) {
    if (at.length < 2 || at.every((i) => byPosition.has(i))) continue;
    const name = header[at[0]].trim();
    const where = at.map((i) => `#${i + 1}`);
    throw new ImportInputError(
      `column "${name}" appears ${at.length} times in the header (columns ${where.join(', ')}); tell them apart in the mapping: rename one by position (rename: { "${where[1]}": "${name} 2" }), or map or ignore each of them by position (columns: { FIELD: "${where[0]}" }, ignore: ["${where[1]}"])`,
      'map',
    );
  }
  for (const spec of FIELDS[options.kind]) {
    if (options.columns[spec.name] !== undefined) continue;
    let i = -1;
    for (const alias of spec.aliases) {
      i = header.findIndex((h, j) => !used.has(j) && !ignoredAt.has(j) && norm(h) === norm(alias));
      if (i >= 0) break;
    }
    if (i < 0) {
      if (!spec.required) continue;
      throw new ImportInputError(
        `no column for the required field ${spec.name} (map one with --map ${spec.name}=COLUMN); the header's columns are ${listed}`,
        'map',
      );
    }
    index[spec.name] = i;
    used.add(i);
  }
  const ignore = new Set(options.ignore.map(norm));
  const extras: [string, number][] = [];
  if (!options.skipUnmapped) {
    header.forEach((h, i) => {
      if (!used.has(i) && !ignoredAt.has(i) && h.trim() && !ignore.has(norm(h)))
        extras.push([h.trim(), i]);
    });
  }
  return { index, extras };
}

/** Normalises an enum cell ("On hold" → on_hold) through the value map; null when unknown. */
export function enumValue<T extends string>(
  options: ImportOptions,
  field: string,
  raw: string,
  allowed: readonly T[],
): T | null {
  const key = raw.trim().toLowerCase();
  const mapped = options.values[field]?.[key];
  const v = (mapped ?? key).replace(/[\s-]+/g, '_');
  return allowed.includes(v as T) ? (v as T) : null;
}

export function activityEffect(options: ImportOptions, activity: string): ActivityEffect | null {
  return options.activities[activity.trim().toLowerCase()] ?? options.activities['*'] ?? null;
}
