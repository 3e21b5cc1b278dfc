import { Platform1763900000000 } from './1763900000000-platform';
import { SupportDesk1763900100000 } from './1763900100000-support-desk';
import { OutboxSurveys1763900200000 } from './1763900200000-outbox-surveys';
import { Risk1763900300000 } from './1763900300000-risk';
import { Privacy1763900600000 } from './1763900600000-privacy';

/**
 * Every migration, oldest first. The api, the worker, the CLI and the tests all read this
 * list (no file globbing), so a build knows exactly which schema it was made for.
 * After `npm run migration:generate -- migrations/<Name>`, add the new class here.
 */
export const MIGRATIONS = [
  Platform1763900000000,
  SupportDesk1763900100000,
  OutboxSurveys1763900200000,
  Risk1763900300000,
  Privacy1763900600000,
];
