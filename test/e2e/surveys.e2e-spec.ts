import { Job, QueueEvents } from 'bullmq';
import { JobPublisher } from '@staydesk/core';
import { OutboxRelay } from '@staydesk/outbox';
import { SurveysService } from '@staydesk/surveys';
import { fails, insertUser, login, ok } from '../support/factories';
import { mailText, startSmtpSink, surveyLinks } from '../support/smtp-sink';
import { TestStack, startStack } from '../support/stack';
import { eventually } from '../support/eventually';

type Sink = Awaited<ReturnType<typeof startSmtpSink>>;

describe('surveys: outbox → BullMQ → SMTP → survey page', () => {
  let stack: TestStack;
  let sink: Sink;
  let events: QueueEvents;
  let agent: string;
  let admin: string;
  let lead: string;
  const ids: Record<string, string> = {};
  let contactSeq = 0;

  beforeAll(async () => {
    // public replies are mailed too (the e-mail channel): this test counts survey mails only
    sink = await startSmtpSink({ only: (raw) => raw.includes('X-Staydesk-Survey:') });
    // the relay is driven by hand (as if it were restarted), so each step is deterministic
    stack = await startStack({
      env: {
        SMTP_URL: sink.url,
        OUTBOX_RELAY: 'false',
        CSAT_DELAY_SECONDS: '0',
        SURVEY_REMINDER_SECONDS: '0',
        PUBLIC_URL: 'http://placeholder',
      },
    });
    events = new QueueEvents('surveys', {
      connection: { url: stack.config.redis.url },
      prefix: stack.config.redis.prefix,
    });
    await events.waitUntilReady();
    await insertUser(stack, { email: 'admin@t.local', role: 'admin' });
    admin = await login(stack, 'admin@t.local');
    ids.lead = await insertUser(stack, { email: 'lead@t.local', role: 'team_lead' });
    ids.team = (
      await ok(
        stack,
        admin,
        `mutation($l: ID) { createTeam(input: { name: "Support", leadId: $l }) { id } }`,
        { l: ids.lead },
      )
    ).createTeam.id;
    await stack.db.query(`UPDATE users SET team_id = $1 WHERE id = $2`, [ids.team, ids.lead]);
    ids.agent = await insertUser(stack, {
      email: 'agent@t.local',
      role: 'agent',
      teamId: ids.team,
    });
    agent = await login(stack, 'agent@t.local');
    lead = await login(stack, 'lead@t.local');
    ids.customer = (
      await ok(
        stack,
        admin,
        `mutation { createCustomer(input: { name: "Globex", tier: pro, mrr: 900 }) { id } }`,
      )
    ).createCustomer.id;
  });

  afterAll(async () => {
    await events?.close();
    await stack?.close();
    await sink?.close();
  });

  const newContact = async (optOut = false) => {
    const c = await ok(
      stack,
      admin,
      `mutation($c: ID!, $i: ContactInput!) { createContact(customerId: $c, input: $i) { id } }`,
      {
        c: ids.customer,
        i: {
          name: `Person ${++contactSeq}`,
          email: `person${contactSeq}@globex.example`,
          surveyOptOut: optOut,
        },
      },
    );
    return c.createContact.id as string;
  };

  const solvedTicket = async (contactId: string) => {
    const t = await ok(
      stack,
      agent,
      `mutation($i: CreateTicketInput!) { createTicket(input: $i) { id } }`,
      {
        i: {
          requesterId: contactId,
          subject: 'Printer on fire',
          channel: 'email',
          teamId: ids.team,
          message: { body: 'Help', kind: 'customer_message' },
        },
      },
    );
    const id = t.createTicket.id as string;
    await ok(
      stack,
      agent,
      `mutation($id: ID!) { replyToTicket(id: $id, body: "Fixed it") { ticket { id } } }`,
      { id },
    );
    await ok(
      stack,
      agent,
      `mutation($id: ID!) { changeTicketStatus(id: $id, status: solved) { id } }`,
      { id },
    );
    return id;
  };

  /** Runs the relay (as a restarted worker would) and waits for the CSAT jobs it queued. */
  const relayAndWait = async () => {
    const { rows } = await stack.db.query(
      `SELECT id::text FROM outbox WHERE published_at IS NULL AND type = 'ticket.solved'`,
    );
    const relay = stack.worker!.get(OutboxRelay);
    while ((await relay.relayBatch()) > 0);
    const publisher = stack.worker!.get(JobPublisher);
    const results = [];
    for (const r of rows) {
      const job = await Job.fromId(publisher.queue('surveys'), `evt-${r.id}-surveys-send-csat`);
      results.push(await job!.waitUntilFinished(events, 15_000));
    }
    return results;
  };

  let mainSurvey: { token: string; ticketId: string; contactId: string };

  it('survives an outage: the solve commits, the survey goes out once the relay runs again', async () => {
    const contactId = await newContact();
    const ticketId = await solvedTicket(contactId);
    // nothing was published yet (the relay is "down"), but the event is safe in PostgreSQL
    const pending = await stack.db.query(
      `SELECT type, payload FROM outbox WHERE published_at IS NULL ORDER BY id`,
    );
    // the first message travels with ticket.created; the reply is a message_added; the solve
    // is a ticket.updated (for live updates) and a ticket.solved (for the survey)
    expect(pending.rows.map((r) => r.type)).toEqual([
      'ticket.created',
      'ticket.message_added',
      'ticket.updated',
      'ticket.solved',
    ]);
    expect(pending.rows[3].payload).toEqual({ ticketId, customerId: ids.customer, solveCycle: 1 });
    expect(sink.mails).toHaveLength(0);

    expect(await relayAndWait()).toEqual([{ sent: true, surveyId: expect.any(String) }]);
    const [mail] = await sink.waitFor(1);
    expect(mail.to).toEqual([`person${contactSeq}@globex.example`]);
    const text = mailText(mail.raw);
    expect(text).toContain(
      'How satisfied are you with the support you received on "Printer on fire"?',
    );
    expect(text).toContain('Content-Type: text/html');
    const links = surveyLinks(mail.raw);
    expect(links.filter((l) => l.includes('?score='))).toHaveLength(5);
    expect(links.some((l) => l.endsWith('/opt-out'))).toBe(true);
    const token = /\/s\/([A-Za-z0-9_-]{43})/.exec(links[0])![1];
    mainSurvey = { token, ticketId, contactId };

    const { rows } = await stack.db.query(
      `SELECT sent_at IS NOT NULL AS sent, token_hash <> $1 AS hashed FROM surveys WHERE ticket_id = $2`,
      [token, ticketId],
    );
    expect(rows).toEqual([{ sent: true, hashed: true }]);
    expect(
      (await stack.db.query(`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`))
        .rows[0].n,
    ).toBe(0);
  });

  it('records nothing on a GET of a rating link (mail scanners follow links)', async () => {
    const state = () =>
      stack.db
        .query(`SELECT score, responded_at, comment FROM surveys WHERE ticket_id = $1`, [
          mainSurvey.ticketId,
        ])
        .then((r) => r.rows);
    const before = await state();
    for (const score of [1, 2, 5]) {
      const res = await fetch(`${stack.url}/s/${mainSurvey.token}?score=${score}`);
      expect(res.status).toBe(200);
      const html = await res.text();
      // the page opens with that rating chosen and one button to send it
      expect(html).toMatch(
        new RegExp(`<input type="radio" name="score" value="${score}" checked required>`),
      );
      expect(html).toContain(`You chose ${score}. Press <strong>Send</strong> to record it`);
      expect(html.match(/<button type="submit">/g)).toHaveLength(1);
    }
    await fetch(`${stack.url}/s/${mainSurvey.token}`);
    expect(await state()).toEqual(before);
    expect(before[0]).toMatchObject({ score: null, responded_at: null });
    const answered = await stack.db.query(
      `SELECT count(*)::int AS n FROM outbox WHERE type = 'survey.answered'`,
    );
    expect(answered.rows[0].n).toBe(0);
  });

  it("records a rating sent from the link's page, opens a recovery follow-up for a bad one, and takes a comment and CES", async () => {
    const res = await fetch(`${stack.url}/s/${mainSurvey.token}?score=2`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const page = await res.text();
    expect(page).toContain('<html lang="en">');
    expect(page).toMatch(/<input type="radio" name="score" value="2" checked required>/);
    expect(page).toContain('The company made it easy to handle my issue');
    // the person presses Send: the one-click rating is recorded by the POST
    const send = (body: string) =>
      fetch(`${stack.url}/s/${mainSurvey.token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
    const firstNonce = /name="nonce" value="([^"]+)"/.exec(page)![1];
    const sent = await send(`nonce=${firstNonce}&score=2`);
    expect(sent.status).toBe(200);
    const html = await sent.text();
    expect(html).toContain('your answer is saved');
    const survey = await stack.db.query(
      `SELECT id::text, score, responded_at IS NOT NULL AS responded FROM surveys WHERE ticket_id = $1`,
      [mainSurvey.ticketId],
    );
    expect(survey.rows[0]).toMatchObject({ score: 2, responded: true });

    const followUps = await stack.db.query(
      `SELECT kind, owner_id::text AS owner, ticket_id::text AS ticket, due_at - now() AS due FROM follow_ups WHERE survey_id = $1`,
      [survey.rows[0].id],
    );
    expect(followUps.rows).toHaveLength(1);
    expect(followUps.rows[0]).toMatchObject({
      kind: 'bad_csat_recovery',
      owner: ids.lead,
      ticket: mainSurvey.ticketId,
    });
    const answered = await stack.db.query(
      `SELECT payload FROM outbox WHERE type = 'survey.answered'`,
    );
    expect(answered.rows.map((r) => r.payload.score)).toEqual([2]);

    // the form: comment + CES, protected against replay
    const nonce = /name="nonce" value="([^"]+)"/.exec(html)![1];
    const post = (body: string) =>
      fetch(`${stack.url}/s/${mainSurvey.token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
    const saved = await post(
      `nonce=${nonce}&score=2&ces=6&comment=${encodeURIComponent('Took three e-mails <b>really</b>')}`,
    );
    expect(saved.status).toBe(200);
    const savedHtml = await saved.text();
    expect(savedHtml).toContain('your answer is saved');
    expect(savedHtml).toContain('Took three e-mails &lt;b&gt;really&lt;/b&gt;');
    const replay = await post(`nonce=${nonce}&score=1&comment=replayed`);
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain('this form was already sent');
    const after = await stack.db.query(
      `SELECT score, ces_score, comment FROM surveys WHERE ticket_id = $1`,
      [mainSurvey.ticketId],
    );
    expect(after.rows[0]).toEqual({
      score: 2,
      ces_score: 6,
      comment: 'Took three e-mails <b>really</b>',
    });

    // changing the answer until expiry: no second follow-up
    const change = await fetch(`${stack.url}/s/${mainSurvey.token}?score=5`);
    expect(change.status).toBe(200);
    const changeNonce = /name="nonce" value="([^"]+)"/.exec(await change.text())![1];
    expect((await post(`nonce=${changeNonce}&score=5`)).status).toBe(200);
    expect(
      (
        await stack.db.query(`SELECT score FROM surveys WHERE ticket_id = $1`, [
          mainSurvey.ticketId,
        ])
      ).rows[0].score,
    ).toBe(5);
    expect(
      (
        await stack.db.query(
          `SELECT count(*)::int AS n FROM follow_ups WHERE kind = 'bad_csat_recovery'`,
        )
      ).rows[0].n,
    ).toBe(1);

    const gql = await ok(
      stack,
      agent,
      `query($id: ID!) { ticket(id: $id) { surveys { kind score cesScore comment solveCycle } } }`,
      { id: mainSurvey.ticketId },
    );
    expect(gql.ticket.surveys).toEqual([
      {
        kind: 'csat',
        score: 5,
        cesScore: 6,
        comment: 'Took three e-mails <b>really</b>',
        solveCycle: 1,
      },
    ]);
  });

  it('refuses bad links with a clear page and records nothing', async () => {
    const before = await stack.db.query(
      `SELECT score, responded_at, form_nonce FROM surveys WHERE ticket_id = $1`,
      [mainSurvey.ticketId],
    );
    const tampered = mainSurvey.token.slice(0, -1) + (mainSurvey.token.endsWith('A') ? 'B' : 'A');
    for (const [path, status, text] of [
      [`/s/${tampered}?score=1`, 404, 'Survey not found'],
      [`/s/not-a-token?score=1`, 404, 'Survey not found'],
      [`/s/${mainSurvey.token}?score=9`, 400, 'the score must be from 1 to 5'],
      [`/s/${mainSurvey.token}?score=abc`, 400, 'the score must be a whole number from 1 to 5'],
      [`/s/${mainSurvey.token}?score=-1`, 400, 'the score must be a whole number'],
    ] as const) {
      const res = await fetch(`${stack.url}${path}`);
      expect({ path, status: res.status }).toEqual({ path, status });
      expect(await res.text()).toContain(text);
    }
    const noNonce = await fetch(`${stack.url}/s/${mainSurvey.token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'score=1',
    });
    expect(noNonce.status).toBe(400);
    const after = await stack.db.query(
      `SELECT score, responded_at, form_nonce FROM surveys WHERE ticket_id = $1`,
      [mainSurvey.ticketId],
    );
    expect(after.rows).toEqual(before.rows);

    // expired: 410, nothing recorded
    await stack.db.query(
      `UPDATE surveys SET expires_at = now() - interval '1 second' WHERE ticket_id = $1`,
      [mainSurvey.ticketId],
    );
    const expired = await fetch(`${stack.url}/s/${mainSurvey.token}?score=1`);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('This survey has closed');
    expect(
      (
        await stack.db.query(`SELECT score FROM surveys WHERE ticket_id = $1`, [
          mainSurvey.ticketId,
        ])
      ).rows[0].score,
    ).toBe(5);
    await stack.db.query(
      `UPDATE surveys SET expires_at = now() + interval '14 days' WHERE ticket_id = $1`,
      [mainSurvey.ticketId],
    );
  });

  it('throttles: no second survey to the same contact within the window', async () => {
    await solvedTicket(mainSurvey.contactId);
    expect(await relayAndWait()).toEqual([{ sent: false, reason: 'throttled' }]);
    expect(sink.mails).toHaveLength(1);
  });

  it('skips tickets reopened before the survey went out, and surveys the next solve cycle', async () => {
    const contactId = await newContact();
    const ticketId = await solvedTicket(contactId);
    await ok(
      stack,
      agent,
      `mutation($id: ID!) { addCustomerMessage(id: $id, body: "Still on fire") { ticket { status } } }`,
      { id: ticketId },
    );
    expect(await relayAndWait()).toEqual([{ sent: false, reason: 'reopened' }]);
    expect(
      (
        await stack.db.query(`SELECT count(*)::int AS n FROM surveys WHERE ticket_id = $1`, [
          ticketId,
        ])
      ).rows[0].n,
    ).toBe(0);

    await ok(
      stack,
      agent,
      `mutation($id: ID!) { changeTicketStatus(id: $id, status: solved) { id } }`,
      { id: ticketId },
    );
    expect(await relayAndWait()).toEqual([{ sent: true, surveyId: expect.any(String) }]);
    const { rows } = await stack.db.query(`SELECT solve_cycle FROM surveys WHERE ticket_id = $1`, [
      ticketId,
    ]);
    expect(rows).toEqual([{ solve_cycle: 2 }]);
    await sink.waitFor(2);
  });

  it('sends nothing to opted-out contacts, and the opt-out link opts out', async () => {
    const optedOut = await newContact(true);
    await solvedTicket(optedOut);
    expect(await relayAndWait()).toEqual([{ sent: false, reason: 'opted_out' }]);

    const page = await fetch(`${stack.url}/s/${mainSurvey.token}/opt-out`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Stop surveys?');
    expect(
      (
        await stack.db.query(`SELECT survey_opt_out FROM contacts WHERE id = $1`, [
          mainSurvey.contactId,
        ])
      ).rows[0].survey_opt_out,
    ).toBe(false);
    const done = await fetch(`${stack.url}/s/${mainSurvey.token}/opt-out`, { method: 'POST' });
    expect(done.status).toBe(200);
    expect(
      (
        await stack.db.query(`SELECT survey_opt_out FROM contacts WHERE id = $1`, [
          mainSurvey.contactId,
        ])
      ).rows[0].survey_opt_out,
    ).toBe(true);
  });

  it('keeps one CSAT survey per solve cycle even when the job runs twice', async () => {
    const surveys = stack.worker!.get(SurveysService);
    const handedOver = () =>
      stack.db.query(
        // a survey whose mail went out (its hand-over mark may be skipped when sent_at came
        // first: the mark only matters while sent_at is missing, so the test sets it below)
        `SELECT ticket_id::text AS t, solve_cycle AS c FROM surveys
        WHERE kind = 'csat' AND sent_at IS NOT NULL
        ORDER BY id DESC LIMIT 1`,
      );
    const rows = await eventually(
      'a survey whose mail was handed over',
      async () => (await handedOver()).rows.length > 0 && (await handedOver()).rows,
      { timeoutMs: 30_000 },
    );
    expect(await surveys.sendCsat(rows[0].t, rows[0].c)).toEqual({
      sent: false,
      reason: 'already_sent',
    });
    await expect(
      stack.db.query(
        `INSERT INTO surveys (kind, ticket_id, solve_cycle, contact_id, customer_id, token_salt, token_hash, expires_at)
                      SELECT kind, ticket_id, solve_cycle, contact_id, customer_id, 'x', 'dup', now() FROM surveys WHERE ticket_id = $1`,
        [rows[0].t],
      ),
    ).rejects.toThrow(/surveys_csat_cycle_key/);
    const mailsBefore = sink.mails.length;
    // a worker killed after the server had the whole message, before recording: reconciled
    const { rows: handed } = await stack.db.query(
      `UPDATE surveys SET sent_at = NULL, data_sent_at = coalesce(data_sent_at, now())
        WHERE ticket_id = $1 AND kind = 'csat' AND solve_cycle = $2 RETURNING id::text`,
      [rows[0].t, rows[0].c],
    );
    expect(await surveys.deliver(handed[0].id)).toEqual({
      sent: true,
      surveyId: handed[0].id,
      reconciled: true,
    });
    expect(sink.mails.length).toBe(mailsBefore);
    // one killed before the hand-over: the retry sends the same links again
    const { rows: unsent } = await stack.db.query(
      `UPDATE surveys SET sent_at = NULL, data_sent_at = NULL WHERE ticket_id = $1 RETURNING id::text`,
      [rows[0].t],
    );
    expect(await surveys.deliver(unsent[0].id)).toEqual({ sent: true, surveyId: unsent[0].id });
    await sink.waitFor(mailsBefore + 1);
    const [first, again] = sink.mails
      .filter((m) => m.raw.includes(`X-Staydesk-Survey: ${unsent[0].id}`))
      .map((m) => surveyLinks(m.raw));
    expect(again).toEqual(first);
    expect(
      (
        await stack.db.query(`SELECT count(*)::int AS n FROM surveys WHERE ticket_id = $1`, [
          rows[0].t,
        ])
      ).rows[0].n,
    ).toBe(1);
  });

  it('reminds once, only while unanswered', async () => {
    const surveys = stack.worker!.get(SurveysService);
    const { rows } = await stack.db.query(
      `SELECT id::text FROM surveys WHERE kind = 'csat' AND responded_at IS NULL AND sent_at IS NOT NULL ORDER BY id DESC LIMIT 1`,
    );
    const before = sink.mails.length;
    expect(await surveys.remind(rows[0].id)).toEqual({ reminded: true });
    expect(await surveys.remind(rows[0].id)).toEqual({
      reminded: false,
      reason: 'already_reminded',
    });
    const mails = await sink.waitFor(before + 1);
    expect(mailText(mails[mails.length - 1].raw)).toContain('Subject: Reminder: How did we do?');
    expect(
      await surveys.remind(
        mainSurvey.token.length
          ? (
              await stack.db.query(`SELECT id::text FROM surveys WHERE ticket_id = $1`, [
                mainSurvey.ticketId,
              ])
            ).rows[0].id
          : '',
      ),
    ).toEqual({ reminded: false, reason: 'answered' });
  });

  it('runs relationship NPS per period with the same machinery, and reports stats', async () => {
    const fresh = await newContact();
    const publisher = stack.worker!.get(JobPublisher);
    const job = await publisher.publish('surveys.nps-scan', {});
    const result = (await job.waitUntilFinished(events, 15_000)) as { created: number };
    // only contacts with no survey in the throttle window and not opted out
    expect(result.created).toBe(1);
    const { rows } = await stack.db.query(
      `SELECT id::text, contact_id::text AS contact FROM surveys WHERE kind = 'nps'`,
    );
    expect(rows).toEqual([{ id: expect.any(String), contact: fresh }]);
    const deliver = await Job.fromId(publisher.queue('surveys'), `deliver-${rows[0].id}`);
    await deliver!.waitUntilFinished(events, 15_000);
    const mail = sink.mails[sink.mails.length - 1];
    const links = surveyLinks(mail.raw).filter((l) => l.includes('?score='));
    expect(links).toHaveLength(11);
    const npsPath = new URL(links.find((l) => l.endsWith('score=9'))!).pathname;
    const npsPage = await fetch(`${stack.url}${npsPath}?score=9`);
    expect(npsPage.status).toBe(200);
    const npsNonce = /name="nonce" value="([^"]+)"/.exec(await npsPage.text())![1];
    const npsSent = await fetch(`${stack.url}${npsPath}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `nonce=${npsNonce}&score=9`,
    });
    expect(npsSent.status).toBe(200);
    const again = await publisher.publish('surveys.nps-scan', {}, { jobId: 'nps-again' });
    expect(await again.waitUntilFinished(events, 15_000)).toEqual({ created: 0 });

    const from = new Date(Date.now() - 86_400_000).toISOString();
    const to = new Date(Date.now() + 86_400_000).toISOString();
    const stats = await ok(
      stack,
      lead,
      `query($f: SurveyStatsFilter!) { surveyStats(filter: $f, groupBy: kind) { groupKey sent responded responseRate csatPercent meanCes nps promoters detractors } }`,
      { f: { from, to } },
    );
    expect(stats.surveyStats).toEqual([
      {
        groupKey: 'csat',
        sent: 2,
        responded: 1,
        responseRate: 0.5,
        csatPercent: 100,
        meanCes: 6,
        nps: null,
        promoters: 0,
        detractors: 0,
      },
    ]);
    const all = await ok(
      stack,
      admin,
      `query($f: SurveyStatsFilter!) { surveyStats(filter: $f, groupBy: kind) { groupKey sent nps promoters } }`,
      { f: { from, to } },
    );
    expect(all.surveyStats).toEqual([
      { groupKey: 'csat', sent: 2, nps: null, promoters: 0 },
      { groupKey: 'nps', sent: 1, nps: 100, promoters: 1 },
    ]);
    const bad = await fails(
      stack,
      admin,
      `query { surveyStats(filter: { from: "2026-02-01T00:00:00Z", to: "2026-01-01T00:00:00Z" }) { sent } }`,
    );
    expect(bad).toMatchObject({
      message: 'filter.to: must be after from',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect(
      (
        await fails(
          stack,
          agent,
          `query($f: SurveyStatsFilter!) { surveyStats(filter: $f) { sent } }`,
          { f: { from, to } },
        )
      ).extensions?.code,
    ).toBe('FORBIDDEN');
  });

  it('decides the CSAT jobs that run at once together: throttle, repeats and misses per job', async () => {
    const surveys = stack.worker!.get(SurveysService);
    const twice = await newContact();
    const once = await newContact();
    const [a, b, c] = [
      await solvedTicket(twice),
      await solvedTicket(twice),
      await solvedTicket(once),
    ];
    const before = sink.mails.length;
    // started in one turn of the event loop: one batch (as a worker's concurrent jobs)
    const outcomes = await Promise.all([
      surveys.sendCsat(a, 1),
      surveys.sendCsat(b, 1),
      surveys.sendCsat(c, 1),
      surveys.sendCsat(a, 1),
      surveys.sendCsat('999999999', 1),
    ]);
    expect(outcomes).toEqual([
      { sent: true, surveyId: expect.any(String) },
      // the contact's first survey of this batch counts for the throttle
      { sent: false, reason: 'throttled' },
      { sent: true, surveyId: expect.any(String) },
      { sent: false, reason: 'already_sent' },
      { sent: false, reason: 'ticket_missing' },
    ]);
    const { rows } = await stack.db.query<{ n: number; sent: number }>(
      `SELECT count(*)::int AS n, count(sent_at)::int AS sent
         FROM surveys WHERE ticket_id = ANY($1::bigint[])`,
      [[a, b, c]],
    );
    expect(rows[0]).toEqual({ n: 2, sent: 2 });
    expect(
      sink.mails
        .slice(before)
        .map((m) => m.to)
        .sort(),
    ).toEqual(
      [[`person${contactSeq - 1}@globex.example`], [`person${contactSeq}@globex.example`]].sort(),
    );
  });

  it('reminds from one remind-many job (a send batch), deciding each survey on its own', async () => {
    // (this stack mails no reminders by itself: SURVEY_REMINDER_SECONDS=0)
    const publisher = stack.worker!.get(JobPublisher);
    const answered = (
      await stack.db.query(`SELECT id::text FROM surveys WHERE ticket_id = $1`, [
        mainSurvey.ticketId,
      ])
    ).rows[0].id as string;
    const contactId = await newContact();
    const ticketId = await solvedTicket(contactId);
    // (the solves of the test before are relayed here too)
    expect(await relayAndWait()).toContainEqual({ sent: true, surveyId: expect.any(String) });
    const { rows } = await stack.db.query(`SELECT id::text FROM surveys WHERE ticket_id = $1`, [
      ticketId,
    ]);
    const before = sink.mails.length;
    // the answered survey in the same job is skipped, the unanswered one reminded
    const job = await publisher.publish('surveys.remind-many', {
      surveyIds: [rows[0].id, answered],
    });
    expect(await job.waitUntilFinished(events, 15_000)).toEqual({ reminded: 1, skipped: 1 });
    const mails = await sink.waitFor(before + 1);
    expect(mailText(mails[mails.length - 1].raw)).toContain('Subject: Reminder: How did we do?');
    const marked = await stack.db.query(
      `SELECT reminded_at IS NOT NULL AS r FROM surveys WHERE id = $1`,
      [rows[0].id],
    );
    expect(marked.rows).toEqual([{ r: true }]);
  });
});

/**
 * One ticket solved while the SMTP server refuses (`refusing`: the sink's options); `check` runs
 * once the survey job has failed.
 */
async function solveWhileSmtpRefuses(
  refusing: Parameters<typeof startSmtpSink>[0],
  check: (stack: TestStack) => Promise<void>,
): Promise<void> {
  const sink = await startSmtpSink(refusing);
  const stack = await startStack({
    env: { SMTP_URL: sink.url, CSAT_DELAY_SECONDS: '0', SURVEY_REMINDER_SECONDS: '0' },
  });
  const events = new QueueEvents('surveys', {
    connection: { url: stack.config.redis.url },
    prefix: stack.config.redis.prefix,
  });
  try {
    await events.waitUntilReady();
    await insertUser(stack, { email: 'admin@t.local', role: 'admin' });
    const admin = await login(stack, 'admin@t.local');
    const c = await ok(
      stack,
      admin,
      `mutation { createCustomer(input: { name: "Initech", contacts: [{ name: "Peter", email: "peter@initech.example" }] }) { contacts { id } } }`,
    );
    const t = await ok(
      stack,
      admin,
      `mutation($r: ID!) { createTicket(input: { requesterId: $r, subject: "TPS", channel: email }) { id } }`,
      { r: c.createCustomer.contacts[0].id },
    );
    await ok(
      stack,
      admin,
      `mutation($id: ID!) { changeTicketStatus(id: $id, status: solved) { id } }`,
      { id: t.createTicket.id },
    );
    // the relay runs by itself here (LISTEN/NOTIFY): wait for the job to fail
    const until = Date.now() + 20_000;
    let stats: any[] = [];
    while (Date.now() < until) {
      stats = (await ok(stack, admin, `{ queueStats { queue failed waiting delayed } }`))
        .queueStats;
      if (stats.find((s) => s.queue === 'surveys')?.failed === 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(stats.find((s) => s.queue === 'surveys')).toMatchObject({ failed: 1 });
    await check(stack);
  } finally {
    await events.close();
    await stack.close();
    await sink.close();
  }
}

describe('surveys: SMTP refusing for good', () => {
  it('fails the job visibly instead of dropping it', async () => {
    await solveWhileSmtpRefuses({ reject: true }, async (stack) => {
      const { rows } = await stack.db.query(`SELECT sent_at FROM surveys`);
      expect(rows).toEqual([{ sent_at: null }]);
    });
  });

  it('does not count a survey refused at the final dot as sent (its hand-over mark is undone)', async () => {
    // the whole message reached the server, which refused it: the mark written at the final dot
    // recorded the survey as sent; the refusal must undo it
    await solveWhileSmtpRefuses({ rejectData: true }, async (stack) => {
      const { rows } = await stack.db.query(
        `SELECT sent_at, data_sent_at, sending_at FROM surveys`,
      );
      expect(rows).toEqual([{ sent_at: null, data_sent_at: null, sending_at: null }]);
    });
  });
});
