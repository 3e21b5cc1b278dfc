// Over 400 lines on purpose: one injectable whose CSAT batching, delivery and response page share the repository, token, coalescers and config; its SQL is in surveys.repository.ts.
import { Inject, Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import {
  APP_CONFIG,
  AppConfig,
  AuditRepository,
  Coalescer,
  JobPublisher,
  TransactionRunner,
  Tx,
  badInput,
} from '@staydesk/core';
import { CustomersService } from '@staydesk/customers';
import { FollowUpsService } from '@staydesk/followups';
import { WeeklyHours, addBusinessMinutes } from '@staydesk/identity';
import { MailService, PermanentMailError, SendJournal } from '@staydesk/mail';
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
import { GroupCommit, Settled } from './batching';
import {
  CsatBatchTicket,
  StatsGroup,
  SurveyContext,
  SurveysRepository,
} from './surveys.repository';

interface CsatRequest {
  ticketId: string;
  solveCycle: number;
}

/** CSAT requests decided in one transaction at most (the rest wait for the next one). */
const CSAT_BATCH_MAX = 500;

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
    private readonly customers: CustomersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectPinoLogger(SurveysService.name) private readonly logger: PinoLogger,
  ) {}

  /**
   * Job `surveys.send-csat`: decide, create the survey row, then deliver it. The jobs a worker
   * runs at once are decided together (see sendCsatBatch); each job still gets its own outcome,
   * retry and stall recovery.
   */
  sendCsat(ticketId: string, solveCycle: number): Promise<CsatOutcome> {
    return this.csatBatches.add({ ticketId, solveCycle });
  }

  private readonly csatBatches = new GroupCommit<CsatRequest, CsatOutcome>(
    (items, release) => this.sendCsatBatch(items, release),
    CSAT_BATCH_MAX,
  );

  /**
   * Many CSAT requests at once: one transaction reads their tickets and requesters (drawing the
   * new surveys' ids), locks the contacts (in one order), applies the throttle and inserts every
   * survey set-based as `sending` with its token hash; after the commit the mails go out side by
   * side over the pooled SMTP connections, and each final dot's mark records `sent_at` (one
   * statement per turn of the event loop, made durable after the server's answers). A solve whose survey exists unsent (a retried job) is delivered alone, as before.
   * Rules and the duplicate window are those of the one-at-a-time path: per survey, `sending_at`
   * commits before its SMTP transaction and `data_sent_at` as soon as the final dot is written.
   */
  private async sendCsatBatch(
    items: CsatRequest[],
    release: () => void,
  ): Promise<Settled<CsatOutcome>[]> {
    type Decided = Settled<CsatOutcome> | { existing: string };
    const results: Decided[] = new Array(items.length);
    // the same solve twice in one batch (a job and its retry): the first decides, the rest wait
    const firstOf = new Map<string, number>();
    const unique: number[] = [];
    items.forEach((it, i) => {
      const key = `${it.ticketId}:${it.solveCycle}`;
      if (!firstOf.has(key)) {
        firstOf.set(key, i);
        unique.push(i);
      }
    });
    const asked = unique.map((i) => items[i]);
    const created = await this.tx
      .run(async (tx) => {
        const rows = await this.repo.csatTickets(tx, asked);
        const byOrd = new Map(rows.map((r) => [r.ord, r]));
        const candidates: { i: number; t: CsatBatchTicket }[] = [];
        asked.forEach((it, k) => {
          const i = unique[k];
          const t = byOrd.get(k + 1);
          if (!t) results[i] = { value: { sent: false, reason: 'ticket_missing' } };
          else if (t.existingId) {
            results[i] = t.existingSent
              ? { value: { sent: false, reason: 'already_sent' } }
              : { existing: t.existingId };
          } else if (
            t.solveCount !== it.solveCycle ||
            (t.status !== 'solved' && t.status !== 'closed')
          ) {
            results[i] = { value: { sent: false, reason: 'reopened' } };
          } else if (t.optOut) results[i] = { value: { sent: false, reason: 'opted_out' } };
          else if (t.bouncing) results[i] = { value: { sent: false, reason: 'bouncing' } };
          else candidates.push({ i, t });
        });
        if (candidates.length === 0) return [];
        await this.repo.lockContacts(
          tx,
          candidates.map((c) => c.t.requesterId),
        );
        const throttleDays = this.config.surveys.throttleDays;
        const recent = await this.repo.surveyedWithinMany(
          tx,
          [...new Set(candidates.map((c) => c.t.requesterId))],
          throttleDays,
        );
        const chosen: typeof candidates = [];
        for (const c of candidates) {
          if (recent.has(c.t.requesterId)) {
            results[c.i] = { value: { sent: false, reason: 'throttled' } };
            continue;
          }
          // two solves of one contact in a batch: the throttle counts the first one's survey
          if (throttleDays > 0) recent.add(c.t.requesterId);
          chosen.push(c);
        }
        // the ids were drawn by the read: tokens and their hashes go in with the insert
        const fresh = chosen.map((c) => {
          if (!c.t.newId) throw new Error(`CSAT batch: no survey id drawn for ticket ${c.t.id}`);
          const salt = newSalt();
          return { id: c.t.newId, salt, token: this.token(c.t.newId, salt) };
        });
        const inserted = await this.repo.insertCsatMany(
          tx,
          chosen.map((c, k) => ({
            id: fresh[k].id,
            ticketId: items[c.i].ticketId,
            solveCycle: items[c.i].solveCycle,
            contactId: c.t.requesterId,
            customerId: c.t.customerId,
            teamId: c.t.teamId,
            agentId: c.t.assigneeId,
            salt: fresh[k].salt,
            tokenHash: hashToken(fresh[k].token),
          })),
          this.config.surveys.expiryDays,
        );
        const tokenOf = new Map(fresh.map((f) => [f.id, f.token]));
        const byTicket = new Map(
          inserted.map((r) => [r.ticketId, { row: r, token: tokenOf.get(r.id) }]),
        );
        const out: { i: number; survey: SurveyContext; token: string }[] = [];
        for (const c of chosen) {
          const { row, token } = byTicket.get(c.t.id) ?? {};
          if (!row || !token) {
            // created by another worker since the read: the job retries and finds it
            results[c.i] = {
              error: new Error(`CSAT survey of ticket ${c.t.id} created meanwhile`),
            };
            continue;
          }
          out.push({
            i: c.i,
            token,
            survey: {
              ...row,
              contactName: c.t.contactName,
              contactEmail: c.t.contactEmail,
              surveyOptOut: false,
              bouncing: false,
              sendingAt: row.createdAt,
              dataSentAt: null,
              customerName: c.t.customerName,
              ticketSubject: c.t.ticketSubject,
            },
          });
        }
        return out;
      })
      .finally(release);

    await Promise.all([
      ...created.map(async ({ i, survey, token }) => {
        try {
          await this.mailSurvey(survey, token);
          results[i] = { value: { sent: true, surveyId: survey.id } };
        } catch (err) {
          results[i] = { error: err };
        }
      }),
      ...unique
        .filter((i) => results[i] !== undefined && 'existing' in results[i])
        .map(async (i) => {
          try {
            const { reconciled: _r, ...outcome } = await this.deliver(
              (results[i] as { existing: string }).existing,
            );
            results[i] = { value: outcome };
          } catch (err) {
            results[i] = { error: err };
          }
        }),
    ]);
    for (const i of unique) {
      const r = results[i];
      if ('value' in r && !r.value.sent)
        this.logger.info({ ...items[i], outcome: r.value }, 'CSAT survey not sent');
    }
    items.forEach((it, i) => {
      const first = firstOf.get(`${it.ticketId}:${it.solveCycle}`)!;
      if (first !== i) {
        const r = results[first];
        results[i] =
          'value' in r && r.value.sent ? { value: { sent: false, reason: 'already_sent' } } : r;
      }
    });
    return results as Settled<CsatOutcome>[];
  }

  /**
   * Mails a survey created as `sending`. The final dot's mark records it as sent (`data_sent_at`
   * and `sent_at` in one write, coalesced); a refusal clears that and `sending`; after the
   * server's answer one coalesced statement makes the marks durable (and writes `sent_at` where
   * a mark is missing).
   */
  private async mailSurvey(s: SurveyContext, token: string): Promise<void> {
    const mail = surveyMail(s, this.config.http.publicUrl, token, false);
    let handed: Promise<void> | null = null;
    try {
      await this.mail.sendComposed({
        to: { name: s.contactName.replace(/"/g, ''), address: s.contactEmail },
        ...mail,
        onDataSent: () => {
          handed = this.handedOver.add(s.id);
        },
      });
    } catch (err) {
      await (handed as Promise<void> | null);
      await this.repo.clearSending(this.tx.db, s.id, true).catch(() => undefined);
      throw err;
    }
    // the final dot's hook runs on a turn of its own (MailService) and, on a busy process, can
    // come after the server's answer: one turn later it has run (turns run in order)
    if (!handed) await new Promise<void>((resolve) => setImmediate(resolve));
    await (handed as Promise<void> | null);
    // recorded first: the reminder is optional, the survey must not go out twice
    await this.sentMarks.add(s.id);
    this.logger.info({ surveyId: s.id, kind: s.kind }, 'survey e-mail sent');
    if (this.config.surveys.reminderSeconds > 0) await this.reminders.add(s.id);
  }

  /**
   * The final dots written in one turn of the event loop, in one statement: `data_sent_at` and
   * `sent_at` (see SurveysRepository.handedOverManyQuery).
   */
  private readonly handedOver = new Coalescer<string>((ids) => {
    const q = this.repo.handedOverManyQuery(this.tx.db, ids);
    return this.journal.mark(q.sql, [...q.parameters]);
  });

  /** After the server's answers of one turn: the marks made durable (SurveysRepository.sentBarrier). */
  private readonly sentMarks = new Coalescer<string>((ids) =>
    this.repo.sentBarrier(this.tx.db, ids),
  );

  /**
   * The reminders of the surveys mailed in one turn: one delayed `surveys.remind-many` job (one
   * Redis script per turn instead of one per survey; each reminder is still decided on its own
   * when the job runs).
   */
  private readonly reminders = new Coalescer<string>(async (ids) => {
    await this.publisher.publish(
      'surveys.remind-many',
      { surveyIds: ids },
      { delayMs: this.config.surveys.reminderSeconds * 1000 },
    );
  });

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
    // compiled before the send, so the final dot's callback only starts the mark
    const mark = this.repo.dataSentQuery(this.tx.db, surveyId);
    let dataSent: Promise<void> | null = null;
    let sent;
    try {
      sent = await this.mail.sendComposed({
        to: { name: s.contactName.replace(/"/g, ''), address: s.contactEmail },
        ...mail,
        onDataSent: () => {
          dataSent = this.journal.mark(mark.sql, [...mark.parameters]);
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
    await this.mail.sendComposed({ to: { name: '', address: s.contactEmail }, ...mail });
    await this.repo.markReminded(this.tx.db, surveyId);
    return { reminded: true };
  }

  /**
   * Job `surveys.remind-many`: each survey's reminder as {@link remind} decides it, one after
   * another. A survey that fails does not stop the others; the job then fails (and retries: the
   * ones reminded meanwhile are skipped as `already_reminded`), permanently only when every
   * failure was a permanent refusal.
   */
  async remindMany(surveyIds: string[]): Promise<{ reminded: number; skipped: number }> {
    let reminded = 0;
    let skipped = 0;
    const failed: unknown[] = [];
    for (const id of surveyIds) {
      try {
        if ((await this.remind(id)).reminded) reminded++;
        else skipped++;
      } catch (err) {
        failed.push(err);
      }
    }
    if (failed.length > 0) {
      this.logger.warn({ failed: failed.length, of: surveyIds.length }, 'survey reminders failed');
      if (failed.every((e) => e instanceof PermanentMailError)) throw failed[0];
      throw failed.find((e) => !(e instanceof PermanentMailError));
    }
    return { reminded, skipped };
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
        await this.customers.optOutOfSurveys(tx, found.survey.contactId);
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
