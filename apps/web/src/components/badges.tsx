import { Badge, Tooltip } from '@mantine/core';
import { humanize } from '@/lib/format';
import { slaCountdown, type SlaFields } from '@/lib/sla';

const STATUS_COLORS: Record<string, string> = {
  new: 'yellow',
  open: 'red',
  pending: 'blue',
  on_hold: 'gray',
  solved: 'teal',
  closed: 'dark',
};
const PRIORITY_COLORS: Record<string, string> = {
  urgent: 'red',
  high: 'orange',
  normal: 'blue',
  low: 'gray',
};
const BAND_COLORS: Record<string, string> = {
  critical: 'red',
  high: 'orange',
  medium: 'yellow',
  low: 'teal',
};

const NO_SHRINK = { flexShrink: 0, minWidth: 'max-content' } as const;

export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge color={STATUS_COLORS[status] ?? 'gray'} variant="light" radius="sm" style={NO_SHRINK}>
      {humanize(status)}
    </Badge>
  );
}

export function PriorityBadge({ priority }: { priority: string }) {
  return (
    <Badge color={PRIORITY_COLORS[priority] ?? 'gray'} variant="dot" radius="sm" style={NO_SHRINK}>
      {humanize(priority)}
    </Badge>
  );
}

export function RiskBadge({
  band,
  score,
  size = 'sm',
}: {
  band: string;
  score?: number;
  size?: 'xs' | 'sm';
}) {
  return (
    <Badge
      color={BAND_COLORS[band] ?? 'gray'}
      variant="filled"
      radius="sm"
      size={size}
      style={NO_SHRINK}
    >
      {humanize(band)} risk{score != null ? ` · ${Math.round(score)}` : ''}
    </Badge>
  );
}

/** "First response due in 25 min" — red when breached, orange within the hour. */
export function SlaBadge({
  ticket,
  now,
  compact = false,
}: {
  ticket: SlaFields;
  now?: Date;
  compact?: boolean;
}) {
  const sla = slaCountdown(ticket, now);
  if (!sla) return null;
  const color = sla.breached ? 'red' : sla.dueSoon ? 'orange' : 'gray';
  return (
    <Tooltip label={`${sla.label} (due ${sla.dueAt.toLocaleString()})`} withArrow>
      <Badge
        color={color}
        variant={sla.breached ? 'filled' : 'light'}
        radius="sm"
        style={{ textTransform: 'none', flexShrink: 0, minWidth: 'max-content' }}
      >
        {compact ? sla.short : sla.label}
      </Badge>
    </Tooltip>
  );
}
