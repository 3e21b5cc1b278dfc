import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Page, renderOptOutPage, renderSurveyPage } from './survey-page.html';
import { SurveysService } from './surveys.service';

/**
 * What helmet would set, written out (no dependency for ten headers): the page works without
 * script, embeds nothing, is never framed, cached or sent to another origin with its token.
 */
export const SURVEY_PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  // the token is in the URL: never leak it through Referer
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

/**
 * The public survey pages (no sign-in): `GET /s/:token?score=N` shows the form with that rating
 * chosen (a GET records nothing: mail scanners follow links); `POST /s/:token` saves the form;
 * `/s/:token/opt-out` stops surveys.
 */
@Controller('s')
export class SurveyPageController {
  constructor(private readonly surveys: SurveysService) {}

  @Get(':token')
  async show(
    @Param('token') token: string,
    @Query('score') score: unknown,
    @Res() reply: FastifyReply,
  ) {
    return send(reply, renderSurveyPage(token, await this.surveys.open(token, score)));
  }

  @Post(':token')
  async submit(@Param('token') token: string, @Body() body: unknown, @Res() reply: FastifyReply) {
    const form = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
    return send(reply, renderSurveyPage(token, await this.surveys.submit(token, form)));
  }

  @Get(':token/opt-out')
  async optOutForm(@Param('token') token: string, @Res() reply: FastifyReply) {
    return send(reply, renderOptOutPage(token, await this.surveys.optOut(token, false), false));
  }

  @Post(':token/opt-out')
  async optOut(@Param('token') token: string, @Res() reply: FastifyReply) {
    return send(reply, renderOptOutPage(token, await this.surveys.optOut(token, true), true));
  }
}

function send(reply: FastifyReply, page: Page) {
  return reply.code(page.status).headers(SURVEY_PAGE_HEADERS).send(page.html);
}
