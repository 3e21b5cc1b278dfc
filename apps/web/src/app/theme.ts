import { createTheme, Modal, Notification, type CSSVariablesResolver } from '@mantine/core';

export const theme = createTheme({
  primaryColor: 'indigo',
  defaultRadius: 'md',
  fontFamily:
    'Inter, ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  headings: { fontWeight: '650' },
  components: {
    // icon-only close buttons need a name for screen readers
    Notification: Notification.extend({
      defaultProps: { closeButtonProps: { 'aria-label': 'Dismiss notification' } },
    }),
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } }),
  },
});

/**
 * Colours that meet WCAG AA contrast (4.5:1 for small text; axe checks it in the browser
 * tests). Mantine's defaults use shade 6 for filled backgrounds and light-variant text, which is
 * too pale behind white or on white for orange, yellow, teal and red; these are darker.
 */
const FILLED: Record<string, string> = {
  red: '#c92a2a',
  orange: '#c2410c',
  yellow: '#9a6700',
  teal: '#087f5b',
  green: '#237032',
  blue: '#1864ab',
  indigo: '#364fc7',
  gray: '#495057',
  cyan: '#0b7285',
  grape: '#862e9c',
};
const LIGHT_TEXT: Record<string, string> = {
  red: '#b02525',
  orange: '#a33a0a',
  yellow: '#7a5200',
  teal: '#06664a',
  green: '#1f642c',
  blue: '#1864ab',
  indigo: '#2c3fa3',
  gray: '#3d4349',
  cyan: '#0b6475',
  grape: '#74287f',
};

export const cssVariablesResolver: CSSVariablesResolver = () => {
  const filled = Object.fromEntries(
    Object.entries(FILLED).map(([c, v]) => [`--mantine-color-${c}-filled`, v]),
  );
  const lightText = Object.fromEntries(
    Object.entries(LIGHT_TEXT).flatMap(([c, v]) => [
      [`--mantine-color-${c}-light-color`, v],
      [`--mantine-color-${c}-text`, v],
      [`--mantine-color-${c}-outline`, v],
    ]),
  );
  return {
    variables: {},
    light: {
      ...filled,
      ...lightText,
      '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
      '--mantine-color-placeholder': 'var(--mantine-color-gray-7)',
      // field errors (input border, text and message): Mantine's red-6 is 3.3:1 on white
      '--mantine-color-error': LIGHT_TEXT.red,
      '--mantine-primary-color-light-color': LIGHT_TEXT.indigo,
      '--mantine-primary-color-filled': FILLED.indigo,
      '--sd-brand': '#364fc7',
    },
    dark: {
      ...filled,
      '--mantine-color-dimmed': 'var(--mantine-color-dark-1)',
      '--mantine-color-placeholder': 'var(--mantine-color-dark-1)',
      '--sd-brand': '#91a7ff',
    },
  };
};
