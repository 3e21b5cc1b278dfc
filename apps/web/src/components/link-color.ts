/**
 * Link text that meets WCAG AA (4.5:1) on the page background in both colour schemes: the
 * theme's primary shade 6 is too pale for small text on white.
 */
export const LINK_COLOR =
  'light-dark(var(--mantine-color-indigo-8), var(--mantine-color-indigo-3))';

/** A rising risk (red) that stays readable (AA) in both colour schemes. */
export const RISE_COLOR = 'light-dark(var(--mantine-color-red-9), var(--mantine-color-red-4))';
