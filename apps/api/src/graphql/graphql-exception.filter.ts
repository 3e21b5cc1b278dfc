import { ArgumentsHost, Catch, HttpServer } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';

/**
 * GraphQL errors are formatted (and unexpected ones logged, once) by the GraphQL error formatter,
 * so in GraphQL context this filter hands the error back untouched instead of letting Nest log
 * every domain error. HTTP routes keep Nest's default handling.
 */
@Catch()
export class GraphqlPassThroughFilter extends BaseExceptionFilter {
  constructor(adapter?: HttpServer) {
    super(adapter);
  }

  override catch(exception: unknown, host: ArgumentsHost) {
    if (host.getType<string>() === 'graphql') return exception;
    return super.catch(exception, host);
  }
}
