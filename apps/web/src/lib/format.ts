/** Formatting in one place: money, dates, relative times, labels of enum values. */
const money = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  maximumFractionDigits: 0,
});
const count = new Intl.NumberFormat('en-US');

export const formatMoney = (v: number) => money.format(v);

/** totalCount of a ticket list: the api answers 10,001 for "more than 10,000". */
export function formatCount(n: number | null | undefined): string {
  if (n == null) return '–';
  return n > 10_000 ? '10,000+' : count.format(n);
}

// one formatter, made once: `toLocaleString(locale, options)` builds a new one on every call
const dateTime = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
});

export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso));
}

export function formatRelative(iso: string, now: Date = new Date()): string {
  const s = Math.round((now.getTime() - new Date(iso).getTime()) / 1000);
  if (s < 60) return 'just now';
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ago`;
  const d = Math.floor(h / 24);
  return d < 30 ? `${d} d ago` : formatDateTime(iso);
}

/** "on_hold" → "On hold" */
export const humanize = (v: string) => {
  const s = v.replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
};

export const snippet = (text: string, max = 90) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/** "1 ticket", "2 tickets", "10,000+ tickets" (a count of a ticket list, see formatCount). */
export function plural(n: number | null | undefined, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}
