import { HttpException, HttpStatus } from '@nestjs/common';
import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { DomainError, ErrorCode } from './domain-error';

export interface FormatterLogger {
  error(obj: object, msg: string): void;
}

/** Codes that Apollo/graphql-js itself produces for malformed requests; their messages are safe. */
const PASS_THROUGH_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
]);

function codeOfHttpStatus(status: number): ErrorCode | 'SERVICE_UNAVAILABLE' | undefined {
  switch (status) {
    case HttpStatus.BAD_REQUEST:
    case HttpStatus.PAYLOAD_TOO_LARGE:
      return 'BAD_USER_INPUT';
    case HttpStatus.UNAUTHORIZED:
      return 'UNAUTHENTICATED';
    case HttpStatus.FORBIDDEN:
      return 'FORBIDDEN';
    case HttpStatus.NOT_FOUND:
      return 'NOT_FOUND';
    case HttpStatus.CONFLICT:
      return 'CONFLICT';
    case HttpStatus.SERVICE_UNAVAILABLE:
      return 'SERVICE_UNAVAILABLE';
    default:
      return undefined;
  }
}

function httpExceptionMessage(e: HttpException): string {
  const response = e.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  if (typeof message === 'string') return message;
  return e.message;
}

/** Network error codes of a connection that could not be made or was lost. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ERR_SOCKET_CLOSED',
  'ERR_STREAM_DESTROYED',
  'ERR_STREAM_WRITE_AFTER_END',
]);

/**
 * True for PostgreSQL SQLSTATEs that mean the server cannot serve right now: class 08
 * (connection exception), 57P01–57P05 (shutdown, crash, cannot connect now, idle timeout),
 * 53300 (too many connections: reconnect storms after a restart), 40001/40P01 are not here
 * (those are the caller's retryable conflicts, answered as errors of their own).
 */
const unavailableSqlState = (code: string) =>
  /^08[0-9A-Z]{3}$/.test(code) || /^57P0[1-5]$/.test(code) || code === '53300';

/** True for errors that mean PostgreSQL or Redis is unreachable right now. */
export function isUnavailable(e: unknown, depth = 0): boolean {
  if (!e || typeof e !== 'object' || depth > 5) return false;
  const err = e as {
    code?: unknown;
    message?: unknown;
    driverError?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  const code = err.code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || unavailableSqlState(code))) {
    return true;
  }
  // node-postgres reports a connection dropped mid-query without a code
  if (typeof err.message === 'string' && CONNECTION_LOST.test(err.message)) return true;
  // wrapped errors: TypeORM's driverError, Error.cause, AggregateError (one per address tried)
  if (
    err.driverError !== undefined &&
    err.driverError !== e &&
    isUnavailable(err.driverError, depth + 1)
  )
    return true;
  if (err.cause !== undefined && err.cause !== e && isUnavailable(err.cause, depth + 1))
    return true;
  return Array.isArray(err.errors) && err.errors.some((x) => isUnavailable(x, depth + 1));
}

const CONNECTION_LOST =
  /Connection terminated|connection error and is not queryable|Client was closed and is not queryable|Cannot use a pool after calling end|timeout exceeded when trying to connect|the database system is (starting up|shutting down|in recovery mode|not yet accepting connections)|terminating connection due to|server closed the connection unexpectedly|Connection is closed|Query runner already released|Stream isn't writeable|MaxRetriesPerRequestError|Reached the max retries per request limit/i;

/**
 * The one place that turns thrown errors into GraphQL errors. Domain errors keep their message
 * and code; anything unknown is logged (with the request id, via the logger) and answered
 * with a generic message so internals never leak.
 */
export function createGraphqlErrorFormatter(
  logger: FormatterLogger,
  options: { hideSuggestions?: boolean } = {},
) {
  const format = formatError(logger);
  if (!options.hideSuggestions) return format;
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const out = format(formatted, error);
    return { ...out, message: withoutSuggestions(out.message) };
  };
}

/**
 * Removes graphql-js's "Did you mean …?" hints (field, argument, type and enum value names):
 * in production they would reveal the schema to callers without introspection.
 */
export const withoutSuggestions = (message: string): string =>
  message.replace(/\s*Did you mean [^?]*\?/g, '');

function formatError(logger: FormatterLogger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
    const path = formatted.path;

    if (original instanceof DomainError) {
      const code: ErrorCode = original.code;
      switch (code) {
        case 'BAD_USER_INPUT':
        case 'UNAUTHENTICATED':
        case 'FORBIDDEN':
        case 'NOT_FOUND':
        case 'CONFLICT':
        case 'RATE_LIMITED':
        case 'TOKEN_EXPIRED':
        case 'TOKEN_USED':
        case 'TOKEN_INVALID':
          return {
            message: original.message,
            path,
            locations: formatted.locations,
            extensions: { code, ...original.details },
          };
        default: {
          const unreachable: never = code;
          throw new Error(`unmapped error code ${String(unreachable)}`);
        }
      }
    }
    if (original instanceof HttpException) {
      const code = codeOfHttpStatus(original.getStatus());
      if (code) {
        return {
          message: httpExceptionMessage(original),
          path,
          locations: formatted.locations,
          extensions: { code },
        };
      }
    }
    const ownCode = formatted.extensions?.code;
    if (typeof ownCode === 'string' && PASS_THROUGH_CODES.has(ownCode)) {
      return {
        message: formatted.message,
        locations: formatted.locations,
        path,
        extensions: { code: ownCode },
      };
    }
    // A GraphQLError outside any field (no path) is about the request itself: a variable that
    // does not coerce (bad enum value, wrong type), a limit plugin's refusal. Its message is for
    // the client.
    if (error instanceof GraphQLError && !path) {
      const code =
        typeof ownCode === 'string' && ownCode !== 'INTERNAL_SERVER_ERROR'
          ? ownCode
          : 'BAD_USER_INPUT';
      return { message: formatted.message, locations: formatted.locations, extensions: { code } };
    }
    // text PostgreSQL cannot store (a NUL character, an invalid byte sequence) is the caller's
    // input, not our failure
    if (['22021', '22P05'].includes(String((original as { code?: unknown })?.code))) {
      return {
        message: 'text must not contain the NUL character (\\u0000) or invalid UTF-8',
        path,
        locations: formatted.locations,
        extensions: { code: 'BAD_USER_INPUT' },
      };
    }
    if (isUnavailable(original)) {
      logger.error({ err: original, path }, 'dependency unavailable during GraphQL operation');
      return {
        message: 'the service is temporarily unavailable, please retry shortly',
        path,
        extensions: { code: 'SERVICE_UNAVAILABLE' },
      };
    }
    logger.error({ err: original, path }, 'unexpected error in GraphQL operation');
    return {
      message: 'internal error: it was logged with the request id',
      path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
