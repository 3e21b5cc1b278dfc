import { badInput } from '@staydesk/core';

/** The placeholders a macro's reply and note may use, and where each value comes from. */
export const PLACEHOLDERS = [
  'requester.first_name',
  'requester.name',
  'requester.email',
  'ticket.number',
  'ticket.subject',
  'agent.name',
  'agent.first_name',
  'customer.name',
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type PlaceholderValues = Record<Placeholder, string>;

const PATTERN = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** Every `{{name}}` in a text, in order of appearance (duplicates kept once). */
export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(PATTERN)].map((m) => m[1]))];
}

/** Refuses a text with an unknown placeholder, naming it (checked when the macro is saved). */
export function checkPlaceholders(text: string, field: string): void {
  const unknown = placeholdersIn(text).filter(
    (p) => !(PLACEHOLDERS as readonly string[]).includes(p),
  );
  if (unknown.length) {
    throw badInput(
      field,
      `unknown placeholder ${unknown.map((u) => `{{${u}}}`).join(', ')}; known ones are ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`,
    );
  }
}

/** Fills the placeholders (an unknown one, possible only for rows older than a rename, stays as written). */
export function render(text: string, values: PlaceholderValues): string {
  return text.replace(PATTERN, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(values, name) ? values[name as Placeholder] : whole,
  );
}

/** "Ada Lovelace" → "Ada"; an empty name stays empty. */
export function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] ?? '';
}
