/** KPI figures in human units: durations from hours, percentages, signed deltas. */
import { formatMoney } from './format';

/** 0.25 h → "15 min", 26.5 h → "1 d 2 h", 3.75 h → "3 h 45 min". */
export function formatHours(h: number | null | undefined): string {
  if (h == null || Number.isNaN(h)) return '–';
  const sign = h < 0 ? '−' : '';
  const minutes = Math.round(Math.abs(h) * 60);
  if (minutes < 1) return Math.abs(h) > 0 ? `${sign}< 1 min` : '0 min';
  if (minutes < 60) return `${sign}${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours < 24) return rest ? `${sign}${hours} h ${rest} min` : `${sign}${hours} h`;
  const days = Math.floor(hours / 24);
  const rh = hours % 24;
  return rh ? `${sign}${days} d ${rh} h` : `${sign}${days} d`;
}

export function formatPercent(v: number | null | undefined, digits = 1): string {
  if (v == null || Number.isNaN(v)) return '–';
  return `${v.toFixed(digits)} %`;
}

export function formatNumber(v: number | null | undefined, digits = 0): string {
  if (v == null || Number.isNaN(v)) return '–';
  return v.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

export type Unit = 'hours' | 'percent' | 'count' | 'score' | 'money';

/** A figure in its unit: "1 h 30 min", "50.0 %", "4.2", "$1,200", "1,234"; "–" for none. */
export function formatMeasure(unit: Unit, v: number | null | undefined): string {
  switch (unit) {
    case 'hours':
      return formatHours(v);
    case 'percent':
      return formatPercent(v);
    case 'score':
      return v == null ? '–' : v.toFixed(1);
    case 'money':
      return v == null ? '–' : formatMoney(v);
    default:
      return formatNumber(v);
  }
}

/** Whether a higher value is better (greener) for a figure; neutral: a volume, neither. */
export type Better = 'higher' | 'lower' | 'neutral';

export interface Delta {
  /** "+12 min", "−2.5 pp", "+3" */
  text: string;
  /** better / worse for the figure, or same (or not comparable) */
  tone: 'better' | 'worse' | 'same';
  /** For screen readers: "12 min longer than the previous period". */
  words: string;
}

/** The signed change from previous to current, in the figure's unit (percent → points). */
export function delta(
  current: number | null | undefined,
  previous: number | null | undefined,
  unit: Unit,
  better: Better,
): Delta | null {
  if (current == null || previous == null) return null;
  const d = current - previous;
  const eps = unit === 'count' || unit === 'money' ? 0.5 : unit === 'hours' ? 1 / 120 : 0.05;
  const tone: Delta['tone'] =
    Math.abs(d) < eps || better === 'neutral'
      ? 'same'
      : d > 0 === (better === 'higher')
        ? 'better'
        : 'worse';
  const sign = Math.abs(d) < eps ? '±' : d > 0 ? '+' : '−';
  const abs = Math.abs(d);
  let text: string;
  let unitWords: [string, string];
  switch (unit) {
    case 'hours':
      text = `${sign}${formatHours(abs)}`;
      unitWords = ['longer', 'shorter'];
      break;
    case 'percent':
      text = `${sign}${abs.toFixed(1)} pp`;
      unitWords = ['points higher', 'points lower'];
      break;
    case 'money':
      text = `${sign}${formatMoney(abs)}`;
      unitWords = ['more', 'less'];
      break;
    case 'score':
      text = `${sign}${abs.toFixed(1)}`;
      unitWords = ['higher', 'lower'];
      break;
    default:
      text = `${sign}${formatNumber(abs)}`;
      unitWords = ['more', 'fewer'];
  }
  const words =
    Math.abs(d) < eps
      ? 'about the same as the previous period'
      : `${text.slice(1)} ${d > 0 ? unitWords[0] : unitWords[1]} than the previous period` +
        (tone === 'same' ? '' : ` (${tone})`);
  return { text, tone, words };
}
