import { CombinedGraphQLErrors, ServerError } from '@apollo/client/errors';

/** The first GraphQL error of an Apollo error, with its code and the field it names. */
export interface ApiProblem {
  code: string;
  message: string;
  field?: string;
  details: Record<string, unknown>;
}

export function apiProblem(error: unknown): ApiProblem | null {
  if (!error) return null;
  if (CombinedGraphQLErrors.is(error)) {
    const first = error.errors[0];
    const ext = (first?.extensions ?? {}) as Record<string, unknown>;
    return {
      code: String(ext.code ?? 'INTERNAL_SERVER_ERROR'),
      message: sentence(first?.message ?? 'Something went wrong.'),
      field: typeof ext.field === 'string' ? ext.field : undefined,
      details: ext,
    };
  }
  if (ServerError.is(error) && error.statusCode === 503) {
    return { code: 'SERVICE_UNAVAILABLE', message: UNREACHABLE, details: {} };
  }
  return { code: 'NETWORK', message: UNREACHABLE, details: {} };
}

export const UNREACHABLE =
  'Staydesk cannot be reached right now. Your text is kept; it will be sent when you try again.';

/** True for failures that mean "the api is down or unreachable", not "the request was wrong". */
export function isUnavailable(error: unknown): boolean {
  if (CombinedGraphQLErrors.is(error)) {
    return error.errors.some((e) => e.extensions?.code === 'SERVICE_UNAVAILABLE');
  }
  if (ServerError.is(error)) return error.statusCode === 503 || error.statusCode === 502;
  return error instanceof TypeError || (error as Error | null)?.name === 'TypeError';
}

/** "field: must not be empty" → "Must not be empty." for display next to the field. */
export function fieldMessage(p: ApiProblem): string {
  // apiProblem has capitalized the message ("Subject: …"): compare without case
  const m =
    p.field && p.message.toLowerCase().startsWith(`${p.field.toLowerCase()}: `)
      ? p.message.slice(p.field.length + 2)
      : p.message;
  return sentence(m);
}

export function sentence(m: string): string {
  const t = m.trim();
  if (!t) return t;
  const s = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}
