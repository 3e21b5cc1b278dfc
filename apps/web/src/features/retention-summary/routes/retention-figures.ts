/** The retention summary's figures: each one's definition, formatting and the customers behind it. */
import {
  type RetentionPeriodFiguresFragment,
  type RiskBand,
  type SegmentFiguresFragment,
} from '@/gql/graphql';
import { formatMoney } from '@/lib/format';
import { formatNumber, type Better, type Unit } from '@/lib/measures';
import { type PeriodPreset } from '@/lib/period';
import { type CustomersOption } from '../components/CustomersDrawer';

export const PRESETS: readonly PeriodPreset[] = [
  'this_month',
  'last_month',
  'this_quarter',
  'last_quarter',
  'custom',
];

type Figures = RetentionPeriodFiguresFragment;

interface Fig {
  key: string;
  label: string;
  unit: Unit;
  better: Better;
  definition: string;
  value(f: Figures): number | null;
  sub?(f: Figures): string;
  options: CustomersOption[];
}

export const FIGS: Fig[] = [
  {
    key: 'retention',
    label: 'Retention rate',
    unit: 'percent',
    better: 'higher',
    definition:
      'Retention rate % = (customers at end − customers acquired in the period) ÷ customers at start × 100.',
    value: (f) => f.retentionRatePercent ?? null,
    sub: (f) =>
      `${formatNumber(f.customersAtStart)} at start, ${formatNumber(f.customersAtEnd)} at end`,
    options: [
      { label: 'Lost', figure: 'lost' },
      { label: 'At start', figure: 'customers_at_start' },
      { label: 'At end', figure: 'customers_at_end' },
    ],
  },
  {
    key: 'churn',
    label: 'Churn rate',
    unit: 'percent',
    better: 'lower',
    definition: 'Churn rate % = customers churned in the period ÷ customers at start × 100.',
    value: (f) => f.churnRatePercent ?? null,
    sub: (f) => `${formatNumber(f.churned)} churned of ${formatNumber(f.customersAtStart)}`,
    options: [{ label: 'Churned', figure: 'churned' }],
  },
  {
    key: 'at_start',
    label: 'Customers at start',
    unit: 'count',
    better: 'higher',
    definition:
      'Signed up before the start and active at the start (last status change before it).',
    value: (f) => f.customersAtStart,
    options: [{ label: 'At start', figure: 'customers_at_start' }],
  },
  {
    key: 'at_end',
    label: 'Customers at end',
    unit: 'count',
    better: 'higher',
    definition: 'Signed up before the end and active at the end.',
    value: (f) => f.customersAtEnd,
    options: [{ label: 'At end', figure: 'customers_at_end' }],
  },
  {
    key: 'acquired',
    label: 'Acquired',
    unit: 'count',
    better: 'higher',
    definition: 'Customers whose customer_since falls in the period.',
    value: (f) => f.acquired,
    options: [{ label: 'Acquired', figure: 'acquired' }],
  },
  {
    key: 'churned',
    label: 'Churned',
    unit: 'count',
    better: 'lower',
    definition: 'Customers with a change to churned in the period.',
    value: (f) => f.churned,
    options: [{ label: 'Churned', figure: 'churned' }],
  },
  {
    key: 'mrr_start',
    label: 'MRR at start',
    unit: 'money',
    better: 'higher',
    definition:
      'Σ MRR at the start (from the MRR history) of the customers active then; unknown MRRs are left out.',
    value: (f) => f.revenue.revenueAtStart,
    sub: (f) =>
      f.revenue.unknownMrr
        ? `${formatNumber(f.revenue.unknownMrr)} with unknown MRR`
        : 'every MRR known',
    options: [{ label: 'At start', figure: 'customers_at_start' }],
  },
  {
    key: 'revenue_churn',
    label: 'Revenue churn',
    unit: 'percent',
    better: 'lower',
    definition:
      'Revenue churn % = MRR at the start of the customers active then and not at the end ÷ MRR at start × 100.',
    value: (f) => f.revenue.revenueChurnRatePercent ?? null,
    sub: (f) => `${formatMoney(f.revenue.revenueChurned)} MRR lost`,
    options: [{ label: 'Lost', figure: 'lost' }],
  },
  {
    key: 'nrr',
    label: 'Net revenue retention',
    unit: 'percent',
    better: 'higher',
    definition:
      'NRR % = Σ MRR at the end of the customers active at the start (0 for those lost; expansion and contraction count, new customers do not) ÷ MRR at start × 100.',
    value: (f) => f.revenue.netRevenueRetentionPercent ?? null,
    sub: (f) =>
      `${formatMoney(f.revenue.revenueRetained)} of ${formatMoney(f.revenue.revenueAtStart)} kept`,
    options: [
      { label: 'At start', figure: 'customers_at_start' },
      { label: 'Lost', figure: 'lost' },
    ],
  },
  {
    key: 'at_risk',
    label: 'Revenue at risk',
    unit: 'money',
    better: 'lower',
    definition:
      'Σ MRR of the customers active at the end in the high and critical risk bands (band as of the end).',
    value: (f) => f.revenueAtRisk,
    options: [
      { label: 'Critical', figure: 'customers_at_end', band: 'critical' },
      { label: 'High', figure: 'customers_at_end', band: 'high' },
    ],
  },
];

export const BANDS: RiskBand[] = ['critical', 'high', 'medium', 'low'];
export const SEGMENT_COLUMNS: {
  key: string;
  label: string;
  unit: Unit;
  value(s: SegmentFiguresFragment): number | null;
  options: CustomersOption[];
}[] = [
  {
    key: 'start',
    label: 'At start',
    unit: 'count',
    value: (s) => s.customersAtStart,
    options: [{ label: 'At start', figure: 'customers_at_start' }],
  },
  {
    key: 'end',
    label: 'At end',
    unit: 'count',
    value: (s) => s.customersAtEnd,
    options: [{ label: 'At end', figure: 'customers_at_end' }],
  },
  {
    key: 'acq',
    label: 'Acquired',
    unit: 'count',
    value: (s) => s.acquired,
    options: [{ label: 'Acquired', figure: 'acquired' }],
  },
  {
    key: 'churned',
    label: 'Churned',
    unit: 'count',
    value: (s) => s.churned,
    options: [{ label: 'Churned', figure: 'churned' }],
  },
  {
    key: 'ret',
    label: 'Retention',
    unit: 'percent',
    value: (s) => s.retentionRatePercent ?? null,
    options: [
      { label: 'Lost', figure: 'lost' },
      { label: 'At start', figure: 'customers_at_start' },
    ],
  },
  {
    key: 'churn',
    label: 'Churn',
    unit: 'percent',
    value: (s) => s.churnRatePercent ?? null,
    options: [{ label: 'Churned', figure: 'churned' }],
  },
  {
    key: 'mrr',
    label: 'MRR at start',
    unit: 'money',
    value: (s) => s.revenueAtStart,
    options: [{ label: 'At start', figure: 'customers_at_start' }],
  },
  {
    key: 'rchurn',
    label: 'Revenue churn',
    unit: 'percent',
    value: (s) => s.revenueChurnRatePercent ?? null,
    options: [{ label: 'Lost', figure: 'lost' }],
  },
  {
    key: 'nrr',
    label: 'NRR',
    unit: 'percent',
    value: (s) => s.netRevenueRetentionPercent ?? null,
    options: [
      { label: 'At start', figure: 'customers_at_start' },
      { label: 'Lost', figure: 'lost' },
    ],
  },
];

export const cellLink = { textDecoration: 'underline dotted', textUnderlineOffset: 3 } as const;
