import type { SurveyKind } from './survey-rules';

/** The survey rows the repository returns (moved out of surveys.repository.ts unchanged). */

export interface SurveyRow {
  id: string;
  kind: SurveyKind;
  ticketId: string | null;
  solveCycle: number | null;
  contactId: string;
  customerId: string;
  teamId: string | null;
  agentId: string | null;
  tokenSalt: string;
  formNonce: string | null;
  createdAt: Date;
  sentAt: Date | null;
  remindedAt: Date | null;
  expiresAt: Date;
  respondedAt: Date | null;
  score: number | null;
  cesScore: number | null;
  comment: string | null;
}

export interface SurveyContext extends SurveyRow {
  contactName: string;
  contactEmail: string;
  surveyOptOut: boolean;
  /** The contact's address is bouncing: nothing is mailed to it. */
  bouncing: boolean;
  /** A delivery started (and, with dataSentAt, handed the whole message over) but was not recorded as sent. */
  sendingAt: Date | null;
  dataSentAt: Date | null;
  customerName: string;
  ticketSubject: string | null;
}

export interface CsatTicket {
  id: string;
  status: string;
  solveCount: number;
  customerId: string;
  requesterId: string;
  teamId: string | null;
  assigneeId: string | null;
  optOut: boolean;
  bouncing: boolean;
  /** The CSAT survey of the asked solve cycle, when there is one. */
  existingId: string | null;
  existingSent: boolean;
}

export interface CsatBatchTicket extends CsatTicket {
  /** Position (1-based) of the solve in the batch asked for. */
  ord: number;
  contactName: string;
  contactEmail: string;
  customerName: string;
  ticketSubject: string | null;
  /** The id the solve's survey gets (drawn from the sequence) when it has none yet. */
  newId: string | null;
}

/**
 * The columns of a {@link SurveyRow}; qualified, so they also serve RETURNING and joins. A
 * survey's contact_id is nullable in the schema (an erased contact) but {@link SurveyRow} has
 * always typed it as set: the queries narrow it (`$narrowType`), as the hand-written SQL did.
 */
export const SURVEY_COLUMNS = [
  'surveys.id',
  'surveys.kind',
  'surveys.ticketId',
  'surveys.solveCycle',
  'surveys.contactId',
  'surveys.customerId',
  'surveys.teamId',
  'surveys.agentId',
  'surveys.tokenSalt',
  'surveys.formNonce',
  'surveys.createdAt',
  'surveys.sentAt',
  'surveys.remindedAt',
  'surveys.expiresAt',
  'surveys.respondedAt',
  'surveys.score',
  'surveys.cesScore',
  'surveys.comment',
] as const;
