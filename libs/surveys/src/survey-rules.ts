export const SURVEY_KINDS = ['csat', 'nps'] as const;
export type SurveyKind = (typeof SURVEY_KINDS)[number];

/** Score scales: CSAT 1–5 (5 = very satisfied), NPS 0–10, CES 1–7 (7 = very easy). */
export const SCALES: Record<SurveyKind | 'ces', { min: number; max: number }> = {
  csat: { min: 1, max: 5 },
  nps: { min: 0, max: 10 },
  ces: { min: 1, max: 7 },
};

export const MAX_COMMENT = 2000;

/** Parses a score from a link or a form; null when missing, an error message when invalid. */
export function parseScore(
  raw: unknown,
  scale: { min: number; max: number },
): number | null | string {
  if (raw === undefined || raw === null || raw === '') return null;
  const text = Array.isArray(raw) ? String(raw[0]) : String(raw);
  if (!/^\d{1,2}$/.test(text))
    return `the score must be a whole number from ${scale.min} to ${scale.max}`;
  const n = Number(text);
  if (n < scale.min || n > scale.max) return `the score must be from ${scale.min} to ${scale.max}`;
  return n;
}

/** CSAT 1–2 is a bad rating: it opens a recovery follow-up. */
export const isBadCsat = (score: number) => score <= 2;

/** NPS category of a 0–10 score. */
export function npsCategory(score: number): 'promoter' | 'passive' | 'detractor' {
  return score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor';
}

/** The NPS period a date falls in: periods of `days` days counted from the Unix epoch. */
export function npsPeriod(at: Date, days: number): string {
  return `p${days}-${Math.floor(at.getTime() / (days * 86_400_000))}`;
}
