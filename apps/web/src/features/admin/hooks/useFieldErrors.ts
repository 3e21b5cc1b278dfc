import { useCallback, useState } from 'react';
import { apiProblem, fieldMessage } from '@/lib/errors';

/**
 * Errors of one form: a BAD_USER_INPUT (or CONFLICT) that names a field goes next to that
 * field (`errors[field]`); anything else goes above the form (`formError`).
 */
export function useFieldErrors(rename: Record<string, string> = {}) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const reset = useCallback(() => {
    setErrors({});
    setFormError(null);
  }, []);
  const fail = useCallback(
    (err: unknown, fallback = 'The change was not saved.') => {
      const p = apiProblem(err);
      if (p && (p.code === 'BAD_USER_INPUT' || p.code === 'CONFLICT') && p.field) {
        const f = p.field.replace(/^input\./, '');
        setErrors({ [rename[f] ?? f]: fieldMessage(p) });
        setFormError(null);
      } else {
        setFormError(p?.message ?? fallback);
      }
    },
    // the rename table is a literal of the caller: read once
    [],
  );
  /**
   * The form's submit handler: stops the browser's own submit, clears the errors and runs
   * `save`; when it fails, the error goes next to its field or above the form (`fallback` when
   * the api gave no reason).
   */
  const handleSubmit = useCallback(
    (save: () => Promise<unknown>, fallback?: string) => async (e?: { preventDefault(): void }) => {
      e?.preventDefault();
      reset();
      try {
        await save();
      } catch (err) {
        fail(err, fallback);
      }
    },
    [reset, fail],
  );
  /** Props binding a text input to its state and to the api's error about `field`. */
  const textProps = (field: string, value: string, set: (value: string) => void) => ({
    value,
    onChange: (e: { currentTarget: { value: string } }) => set(e.currentTarget.value),
    error: errors[field],
  });
  return { errors, setErrors, formError, setFormError, reset, fail, handleSubmit, textProps };
}

/** An SLA target, exact: 90 → "1 h 30 min", 2880 → "2 d" (lib/sla rounds for countdowns). */
export function formatTarget(m: number): string {
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  const min = m % 60;
  return [d && `${d} d`, h && `${h} h`, min && `${min} min`].filter(Boolean).join(' ') || '0 min';
}

/** A readable random password for a new user or a reset (shown once to the admin). */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}-${chars.slice(12, 16)}`;
}
