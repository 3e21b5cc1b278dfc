import { ArgumentsHost, Catch, HttpException, HttpServer, NotFoundException } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isUnavailable } from '@staydesk/core';

/**
 * GraphQL errors are formatted (and unexpected ones logged, once) by the GraphQL error formatter,
 * so in GraphQL context this filter hands the error back untouched instead of letting Nest log
 * every domain error. A request to /graphql that fails before GraphQL runs (a body over the limit,
 * a body that is not JSON, a wrong content type) is answered in the GraphQL error shape too.
 * Other HTTP routes keep Nest's default handling.
 */
@Catch()
export class GraphqlPassThroughFilter extends BaseExceptionFilter {
  constructor(
    adapter?: HttpServer,
    private readonly bodyLimitBytes = 1_048_576,
  ) {
    super(adapter);
  }

  override catch(exception: unknown, host: ArgumentsHost) {
    if (host.getType<string>() === 'graphql') return exception;
    const http = host.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    if (isUnavailable(exception)) {
      // PostgreSQL or Redis is down: a retryable 503 on every route, never a 500
      const reply = http.getResponse<FastifyReply>();
      const message = 'the service is temporarily unavailable, please retry shortly';
      return reply
        .code(503)
        .header('retry-after', '2')
        .header('content-type', 'application/json; charset=utf-8')
        .send(
          isGraphqlPath(req?.url)
            ? { errors: [{ message, extensions: { code: 'SERVICE_UNAVAILABLE' } }] }
            : { error: { code: 'SERVICE_UNAVAILABLE', message, field: null } },
        );
    }
    if (exception instanceof NotFoundException && /^Cannot [A-Z]+ /.test(exception.message)) {
      // Nest's "Cannot GET <path>" would echo the (possibly crafted) URL back
      return http
        .getResponse<FastifyReply>()
        .code(404)
        .header('content-type', 'application/json; charset=utf-8')
        .send({
          error: { code: 'NOT_FOUND', message: 'there is nothing at this URL', field: null },
        });
    }
    if (isGraphqlPath(req?.url)) {
      const reply = http.getResponse<FastifyReply>();
      const status = statusOf(exception);
      if (status !== undefined && status >= 400 && status < 500) {
        return reply
          .code(status)
          .header('content-type', 'application/json; charset=utf-8')
          .send(graphqlRequestError(status, this.bodyLimitBytes));
      }
    }
    return super.catch(exception, host);
  }
}

export const isGraphqlPath = (url: string | undefined): boolean =>
  url === '/graphql' || !!url?.startsWith('/graphql?');

function statusOf(e: unknown): number | undefined {
  if (e instanceof HttpException) return e.getStatus();
  const s = (e as { statusCode?: unknown } | null)?.statusCode;
  return typeof s === 'number' ? s : undefined;
}

/** A request-level failure in the GraphQL error shape; the message never echoes the request. */
export function graphqlRequestError(status: number, bodyLimitBytes: number) {
  const message =
    status === 413
      ? `the request body is larger than the limit of ${bodyLimitBytes} bytes`
      : status === 415
        ? 'unsupported content type: send the operation as application/json'
        : status === 400
          ? 'the request body is not valid JSON: send {"query": "…", "variables": {…}} as application/json'
          : 'the request could not be read';
  return { errors: [{ message, extensions: { code: 'BAD_USER_INPUT', httpStatus: status } }] };
}
