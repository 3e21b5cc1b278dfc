import {
  ACTIVITY_EFFECTS,
  ActivityEffect,
  DEFAULT_ACTIVITIES,
  FIELDS,
  ImportKind,
} from './import-fields';

/** Lower case, separators and punctuation as single spaces: "Customer-ID" → "customer id". */
export function normalizeName(s: string): string {
  return s
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

function bigrams(s: string): Map<string, number> {
  const t = ` ${s} `;
  const out = new Map<string, number>();
  for (let i = 0; i < t.length - 1; i++) {
    const g = t.slice(i, i + 2);
    out.set(g, (out.get(g) ?? 0) + 1);
  }
  return out;
}

/**
 * How alike two names are, 0 to 1: the Sørensen–Dice coefficient of their character bigrams
 * after {@link normalizeName}, raised to 0.9 when one name's words all appear in the other.
 */
export function nameSimilarity(a: string, b: string): number {
  const x = normalizeName(a);
  const y = normalizeName(b);
  if (!x || !y) return 0;
  if (x === y) return 1;
  const [ga, gb] = [bigrams(x), bigrams(y)];
  let both = 0;
  let total = 0;
  for (const [g, n] of ga) {
    both += Math.min(n, gb.get(g) ?? 0);
    total += n;
  }
  for (const n of gb.values()) total += n;
  const dice = (2 * both) / total;
  const wx = x.split(' ');
  const wy = y.split(' ');
  const contained = wx.every((w) => wy.includes(w)) || wy.every((w) => wx.includes(w));
  return contained ? Math.max(dice, 0.9) : dice;
}

/** A column proposed for a field, and why. */
export interface FieldSuggestion {
  field: string;
  required: boolean;
  description: string;
  /** The header column proposed, or null when none is alike enough. */
  column: string | null;
  /** 1 for a name the importer recognises by itself; the similarity otherwise. */
  score: number;
}

const THRESHOLD = 0.6;

/**
 * Proposes a header column for each field of an import kind: first the names the importer
 * itself recognises (the field and its aliases, exactly as `resolveHeader` matches them), then
 * the most alike remaining column by {@link nameSimilarity} (≥ 0.6). Each column is proposed
 * once, best matches first.
 */
export function suggestColumns(kind: ImportKind, header: string[]): FieldSuggestion[] {
  const specs = FIELDS[kind];
  const chosen = new Map<string, { column: string; score: number }>();
  const used = new Set<number>();
  const exact = (h: string, alias: string) =>
    h
      .trim()
      .toLowerCase()
      .replace(/[\s_-]+/g, '_') ===
    alias
      .trim()
      .toLowerCase()
      .replace(/[\s_-]+/g, '_');
  for (const spec of specs) {
    for (const alias of spec.aliases) {
      const i = header.findIndex((h, j) => !used.has(j) && exact(h, alias));
      if (i >= 0) {
        chosen.set(spec.name, { column: header[i], score: 1 });
        used.add(i);
        break;
      }
    }
  }
  const candidates: { field: string; i: number; score: number }[] = [];
  for (const spec of specs) {
    if (chosen.has(spec.name)) continue;
    header.forEach((h, i) => {
      if (used.has(i) || !h.trim()) return;
      const score = Math.max(...spec.aliases.map((a) => nameSimilarity(h, a)));
      if (score >= THRESHOLD) candidates.push({ field: spec.name, i, score });
    });
  }
  candidates.sort((a, b) => b.score - a.score || a.i - b.i);
  for (const c of candidates) {
    if (chosen.has(c.field) || used.has(c.i)) continue;
    chosen.set(c.field, { column: header[c.i], score: Math.round(c.score * 100) / 100 });
    used.add(c.i);
  }
  return specs.map((s) => ({
    field: s.name,
    required: s.required,
    description: s.description,
    column: chosen.get(s.name)?.column ?? null,
    score: chosen.get(s.name)?.score ?? 0,
  }));
}

/**
 * The effect proposed for an activity name: the importer's own table first (exact, case-
 * insensitive), then the effect of the most alike known name (≥ 0.6), else null (to choose).
 */
export function suggestActivity(name: string): ActivityEffect | null {
  const key = name.trim().toLowerCase();
  if (DEFAULT_ACTIVITIES[key]) return DEFAULT_ACTIVITIES[key];
  let best: { effect: ActivityEffect; score: number } | null = null;
  for (const [known, effect] of Object.entries(DEFAULT_ACTIVITIES)) {
    const score = nameSimilarity(key, known);
    if (score >= THRESHOLD && (!best || score > best.score)) best = { effect, score };
  }
  return best?.effect ?? null;
}

export { ACTIVITY_EFFECTS };
