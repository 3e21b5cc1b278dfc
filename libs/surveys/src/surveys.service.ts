import { Inject, Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import {
  APP_CONFIG,
  AppConfig,
  AuditRepository,
  JobPublisher,
  TransactionRunner,
  Tx,
  badInput,
} from '@staydesk/core';
import { FollowUpsService } from '@staydesk/followups';
import { WeeklyHours, addBusinessMinutes } from '@staydesk/identity';
import { MailService, SendJournal } from '@staydesk/mail';
import { OutboxService } from '@staydesk/outbox';
import { surveyMail } from './survey-mail';
import { MAX_COMMENT, SCALES, isBadCsat, npsPeriod, parseScore } from './survey-rules';
import {
  deriveToken,
  hashToken,
  newNonce,
  newSalt,
  sameNonce,
  TOKEN_PATTERN,
} from './survey-token';
import { StatsGroup, SurveyContext, SurveysRepository } from './surveys.repository';

export type CsatOutcome =
  | { sent: true; surveyId: string }
  | {
      sent: false;
      reason:
        | 'ticket_missing'
        | 'reopened'
        | 'opted_out'
        | 'bouncing'
        | 'throttled'
        | 'already_sent'
        | 'expired';
    };

export type PageState =
  | { state: 'unknown' }
  | { state: 'expired'; survey: SurveyContext }
  | {
      state: 'ok';
      survey: SurveyContext;
      nonce: string;
      saved?: boolean;
      /** The rating of the link that opened the page: pre-selected, not recorded until sent. */
      chosen?: number;
    }
  | { state: 'invalid'; survey: SurveyContext; message: string; nonce: string };

/**
 * Surveys: the CSAT after a solve (rules: not reopened since, not opted out, throttled per
 * contact), NPS per period, delivery and one reminder, and the public response page's logic.
 *
 * Delivery guarantee: the survey row is created first (a unique index allows one CSAT per solve
 * cycle), then `sending_at`, the e-mail, `data_sent_at` once the server has the whole message,
 * and `sent_at`. A worker killed before the message was handed over sends it again; one killed
 * after is reconciled as sent (see deliver). Never none, never a second survey row. Contacts
 * whose address is bouncing get no survey.
 */
@Injectable()
export class SurveysService {
  constructor(
    private readonly repo: SurveysRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditRepository,
    private readonly outbox: OutboxService,
    private readonly followUps: FollowUpsService,
    private readonly publisher: JobPublisher,
    private readonly mail: MailService,
    private readonly journal: SendJournal,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectPinoLogger(SurveysService.name) private readonly logger: PinoLogger,
  ) {}

  /** Job `surveys.send-csat`: decide, create the survey row, then deliver it. */
  async sendCsat(ticketId: string, solveCycle: number): Promise<CsatOutcome> {
    const decision = await this.tx.run(
      async (tx): Promise<CsatOutcome | { create: string } | { create: string; claimed: true }> => {
        const t = await this.repo.csatTicket(tx, ticketId, solveCycle);
        if (!t) return { sent: false, reason: 'ticket_missing' };
        if (t.existingId)
          return t.existingSent
            ? { sent: false, reason: 'already_sent' }
            : { create: t.existingId };
        // reopened since this solve: the ticket moved on to another cycle, or is open again
        if (t.solveCount !== solveCycle || (t.status !== 'solved' && t.status !== 'closed')) {
          return { sent: false, reason: 'reopened' };
        }
        if (t.optOut) return { sent: false, reason: 'opted_out' };
        if (t.bouncing) return { sent: false, reason: 'bouncing' };
        await this.repo.lockContact(tx, t.requesterId);
        if (await this.repo.surveyedWithin(tx, t.requesterId, this.config.surveys.throttleDays)) {
          return { sent: false, reason: 'throttled' };
        }
        const salt = newSalt();
        const survey = await this.repo.insert(tx, {
          kind: 'csat',
          ticketId,
          solveCycle,
          contactId: t.requesterId,
          customerId: t.customerId,
          teamId: t.teamId,
          agentId: t.assigneeId,
          period: null,
          salt,
          expiresInDays: this.config.surveys.expiryDays,
          sending: true,
        });
        await this.repo.setTokenHashes(tx, [
          { id: survey.id, hash: hashToken(this.token(survey.id, salt)) },
        ]);
        return { create: survey.id, claimed: true };
      },
    );
    if (!('create' in decision)) {
      this.logger.info({ ticketId, solveCycle, outcome: decision }, 'CSAT survey not sent');
      return decision;
    }
    return this.deliver(decision.create, 'claimed' in decision);
  }

  /**
   * Job `surveys.deliver` (and the end of send-csat): e-mail an existing survey once.
   *
   * Duplicate window: `sending_at` is committed before the SMTP transaction and `data_sent_at`
   * as soon as the whole message (final dot) is written to the server. A worker killed after
   * that, before `sent_at` was recorded, is reconciled as sent when the job is retried; one
   * killed earlier sends it again (the server had no complete message to keep).
   */
  async deliver(
    surveyId: string,
    created = false,
  ): Promise<CsatOutcome & { reconciled?: boolean }> {
    const s = await this.repo.context(this.tx.db, surveyId);
    if (!s) return { sent: false, reason: 'ticket_missing' };
    if (s.sentAt) return { sent: false, reason: 'already_sent' };
    if (!created && s.sendingAt && s.dataSentAt) {
      await this.repo.markSent(this.tx.db, surveyId);
      this.logger.warn({ surveyId }, 'survey reconciled as sent after an interrupted send');
      return { sent: true, surveyId, reconciled: true };
    }
    if (s.expiresAt < new Date()) return { sent: false, reason: 'expired' };
    if (s.surveyOptOut) return { sent: false, reason: 'opted_out' };
    if (s.bouncing) return { sent: false, reason: 'bouncing' };
    const token = this.token(s.id, s.tokenSalt);
    const mail = surveyMail(s, this.config.http.publicUrl, token, false);
    // a survey created by this job was inserted as sending; an older one is marked now
    if (!created && !(await this.repo.markSending(this.tx.db, surveyId))) {
      return { sent: false, reason: 'already_sent' };
    }
    let dataSent: Promise<void> | null = null;
    let sent;
    try {
      sent = await this.mail.send({
        to: `"${s.contactName.replace(/"/g, '')}" <${s.contactEmail}>`,
        ...mail,
        onDataSent: () => {
          dataSent = this.journal.mark(SurveysRepository.DATA_SENT_SQL, [surveyId]);
        },
      });
    } catch (err) {
      await (dataSent as Promise<void> | null);
      await this.repo.clearSending(this.tx.db, surveyId).catch(() => undefined);
      throw err;
    }
    // recorded first: the reminder is optional, the survey must not go out twice
    await this.repo.markSent(this.tx.db, surveyId);
    this.logger.info(
      { surveyId, kind: s.kind, messageId: sent.messageId, file: sent.file },
      'survey e-mail sent',
    );
    if (this.config.surveys.reminderSeconds > 0) {
      await this.publisher.publish(
        'surveys.remind',
        { surveyId },
        { delayMs: this.config.surveys.reminderSeconds * 1000 },
      );
    }
    return { sent: true, surveyId };
  }

  /** Job `surveys.remind`: one reminder, only if still unanswered and valid. */
  async remind(surveyId: string): Promise<{ reminded: boolean; reason?: string }> {
    const s = await this.repo.context(this.tx.db, surveyId);
    if (!s || !s.sentAt) return { reminded: false, reason: 'not_sent' };
    if (s.respondedAt) return { reminded: false, reason: 'answered' };
    if (s.remindedAt) return { reminded: false, reason: 'already_reminded' };
    if (s.expiresAt < new Date()) return { reminded: false, reason: 'expired' };
    if (s.surveyOptOut) return { reminded: false, reason: 'opted_out' };
    if (s.bouncing) return { reminded: false, reason: 'bouncing' };
    const mail = surveyMail(s, this.config.http.publicUrl, this.token(s.id, s.tokenSalt), true);
    await this.mail.send({ to: s.contactEmail, ...mail });
    await this.repo.markReminded(this.tx.db, surveyId);
    return { reminded: true };
  }

  /** Job `surveys.nps-scan`: create this period's NPS surveys (a batch) and queue their delivery. */
  async npsScan(now = new Date()): Promise<{ created: number }> {
    const c = this.config.surveys;
    const period = npsPeriod(now, c.npsPeriodDays);
    const created = await this.tx.run(async (tx) => {
      const rows = await this.repo.createNpsBatch(
        tx,
        period,
        c.npsPeriodDays,
        c.throttleDays,
        c.expiryDays,
        c.npsBatchSize,
      );
      await this.repo.setTokenHashes(
        tx,
        rows.map((r) => ({ id: r.id, hash: hashToken(this.token(r.id, r.tokenSalt)) })),
      );
      return rows;
    });
    if (created.length > 0) {
      await this.publisher.publishBulk(
        'surveys.deliver',
        created.map((r) => ({ data: { surveyId: r.id } })),
      );
    }
    return { created: created.length };
  }

  /**
   * GET /s/:token[?score=N]: show the page with the link's rating pre-selected and one button to
   * send it. Nothing is recorded by the GET itself (see docs/decisions.md).
   */
  async open(token: string, rawScore: unknown): Promise<PageState> {
    return this.tx.run(async (tx) => {
      const found = await this.find(tx, token, true);
      if (found.state !== 'ok') return found;
      const s = found.survey;
      let chosen: number | undefined;
      if (rawScore !== undefined) {
        const score = parseScore(rawScore, SCALES[s.kind]);
        if (typeof score === 'string' || score === null) {
          // a bad link: the page offers the plain survey instead
          return {
            state: 'invalid',
            survey: s,
            message: typeof score === 'string' ? score : 'a score is missing',
            nonce: '',
          };
        }
        chosen = score;
      }
      // a GET never records or changes an answer (mail scanners follow links): it only issues
      // the form's one-time nonce; the answer is recorded when the person presses Send
      const nonce = newNonce();
      await this.repo.saveResponse(tx, s.id, { score: null, nonce });
      return { state: 'ok', survey: s, nonce, chosen };
    });
  }

  /** POST /s/:token: the form (score, optional CES for CSAT, comment). Replays are refused. */
  async submit(token: string, form: Record<string, unknown>): Promise<PageState> {
    return this.tx.run(async (tx) => {
      const found = await this.find(tx, token, true);
      if (found.state !== 'ok') return found;
      const s = found.survey;
      const nonce = newNonce();
      const fail = async (message: string): Promise<PageState> => ({
        state: 'invalid',
        survey: s,
        message,
        nonce: s.formNonce ?? nonce,
      });
      const given = typeof form.nonce === 'string' ? form.nonce : '';
      if (!s.formNonce || !given || !sameNonce(given, s.formNonce)) {
        return fail(
          'this form was already sent or has expired; reload the page to change your answer',
        );
      }
      const score = parseScore(form.score, SCALES[s.kind]);
      if (typeof score === 'string') return fail(score);
      if (score === null && s.score === null) return fail('choose a score first');
      let cesScore: number | null | undefined;
      if (s.kind === 'csat' && form.ces !== undefined && form.ces !== '') {
        const ces = parseScore(form.ces, SCALES.ces);
        if (typeof ces === 'string') return fail(ces.replace('the score', 'the effort score'));
        cesScore = ces;
      }
      let comment: string | undefined;
      if (typeof form.comment === 'string') {
        if (form.comment.length > MAX_COMMENT)
          return fail(`the comment must be at most ${MAX_COMMENT} characters`);
        comment = form.comment.trim();
      }
      await this.record(tx, s, {
        score: score ?? s.score!,
        cesScore,
        comment: comment === undefined ? undefined : comment || null,
        nonce,
      });
      return {
        state: 'ok',
        survey: {
          ...s,
          score: score ?? s.score,
          cesScore: cesScore ?? s.cesScore,
          comment: comment ?? s.comment,
        },
        nonce,
        saved: true,
      };
    });
  }

  /** GET/POST /s/:token/opt-out. */
  async optOut(token: string, confirm: boolean): Promise<PageState> {
    return this.tx.run(async (tx) => {
      const found = await this.find(tx, token, false, true);
      if (found.state === 'unknown') return found;
      if (confirm) {
        await this.repo.optOut(tx, found.survey.contactId);
        await this.audit.record(tx, {
          actorId: null,
          action: 'contact.survey_opt_out',
          entity: 'contact',
          entityId: found.survey.contactId,
        });
      }
      return { state: 'ok', survey: found.survey, nonce: '' };
    });
  }

  byTicketIds(ids: readonly string[]) {
    return this.repo.byTicketIds(this.tx.db, ids);
  }

  byCustomerIds(ids: readonly string[], limitEach = 20) {
    return this.repo.byCustomerIds(this.tx.db, ids, limitEach);
  }

  async stats(
    f: { from: Date; to: Date; teamIds?: string[]; agentIds?: string[] },
    group: StatsGroup,
  ) {
    if (Number.isNaN(f.from.getTime()) || Number.isNaN(f.to.getTime()))
      throw badInput('filter', 'from and to must be dates');
    if (f.from >= f.to) throw badInput('filter.to', 'must be after from');
    if (f.to.getTime() - f.from.getTime() > 3 * 366 * 86_400_000)
      throw badInput('filter', 'the range must be at most 3 years');
    const rows = await this.repo.stats(this.tx.db, f, group);
    // one definition with supportKpis (docs/kpis.md "One CSAT, one response rate"): percents with
    // two decimals, CSAT over ratings given in the range, response rates over surveys sent in it
    const pct = (part: number, whole: number) =>
      whole > 0 ? Math.round((part / whole) * 10000) / 100 : null;
    return rows.map((r) => ({
      ...r,
      responseRate: r.sent ? r.responded / r.sent : null,
      responseRatePercent: pct(r.responded, r.sent),
      csatResponseRatePercent: pct(r.csatResponded, r.csatSent),
      csatPercent: pct(r.csatGood, r.csatResponses),
      csatRevenueWeightedPercent: pct(r.csatGoodWeight, r.csatWeight),
      meanCes: r.cesResponses ? r.cesSum / r.cesResponses : null,
      nps: r.npsResponses ? (100 * (r.promoters - r.detractors)) / r.npsResponses : null,
    }));
  }

  private token(surveyId: string, salt: string): string {
    return deriveToken(this.config.surveys.tokenSecret, surveyId, salt);
  }

  private async find(
    tx: Tx,
    token: string,
    lock: boolean,
    allowExpired = false,
  ): Promise<PageState> {
    if (!TOKEN_PATTERN.test(token)) return { state: 'unknown' };
    const s = await this.repo.contextByTokenHash(tx, hashToken(token), lock);
    if (!s || !s.sentAt) return { state: 'unknown' };
    if (!allowExpired && s.expiresAt < new Date()) return { state: 'expired', survey: s };
    return { state: 'ok', survey: s, nonce: '' };
  }

  /** Saves an answer; a new or changed score emits `survey.answered`; bad CSAT opens a recovery follow-up. */
  private async record(
    tx: Tx,
    s: SurveyContext,
    r: { score: number; cesScore?: number | null; comment?: string | null; nonce: string },
  ): Promise<void> {
    await this.repo.saveResponse(tx, s.id, r);
    if (s.score !== r.score) {
      await this.outbox.record(tx, {
        type: 'survey.answered',
        payload: { surveyId: s.id, customerId: s.customerId, kind: s.kind, score: r.score },
      });
      await this.audit.record(tx, {
        actorId: null,
        action: 'survey.answer',
        entity: 'survey',
        entityId: s.id,
        details: { score: r.score, previous: s.score },
      });
    }
    if (
      s.kind === 'csat' &&
      isBadCsat(r.score) &&
      !(await this.repo.hasRecoveryFollowUp(tx, s.id))
    ) {
      await this.openRecovery(tx, s, r.score);
    }
  }

  /** Bad CSAT → a `bad_csat_recovery` follow-up for the lead of the ticket's team, due in one business day. */
  private async openRecovery(tx: Tx, s: SurveyContext, score: number): Promise<void> {
    const team = s.teamId ? await this.repo.teamLead(tx, s.teamId) : null;
    const owner = team?.leadId ?? s.agentId ?? (await this.repo.anyAdmin(tx));
    if (!owner) {
      this.logger.warn({ surveyId: s.id }, 'bad CSAT but nobody to own the recovery follow-up');
      return;
    }
    const now = new Date();
    const dueAt =
      team?.timezone && team.businessHours
        ? addBusinessMinutes(
            now,
            businessDayMinutes(team.businessHours as WeeklyHours),
            team.timezone,
            team.businessHours as WeeklyHours,
          )
        : new Date(now.getTime() + 24 * 3600_000);
    await this.followUps.openForOwner(tx, {
      customerId: s.customerId,
      ticketId: s.ticketId,
      ownerId: owner,
      kind: 'bad_csat_recovery',
      dueAt,
      note: `CSAT ${score}/5 from ${s.contactName} on "${s.ticketSubject ?? 'a ticket'}"${s.comment ? `: ${s.comment.slice(0, 500)}` : ''}`,
      createdById: null,
      surveyId: s.id,
    });
  }
}

/** Length of an average open day of a calendar, in minutes ("one business day"). */
export function businessDayMinutes(hours: WeeklyHours): number {
  const days = Object.values(hours).filter((r) => r && r.length > 0);
  const total = days
    .flat()
    .reduce(
      (sum, [a, b]) =>
        sum +
        (Number(b.slice(0, 2)) * 60 + Number(b.slice(3))) -
        (Number(a.slice(0, 2)) * 60 + Number(a.slice(3))),
      0,
    );
  return Math.max(1, Math.round(total / Math.max(1, days.length)));
}
