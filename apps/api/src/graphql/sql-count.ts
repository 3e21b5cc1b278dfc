import type { ApolloServerPlugin } from '@apollo/server';
import { Injectable, NestMiddleware } from '@nestjs/common';
import { sqlQueryCounter } from '@staydesk/core';

/** Opens a per-request SQL statement counter (AsyncLocalStorage) around the GraphQL handler. */
@Injectable()
export class SqlCountMiddleware implements NestMiddleware {
  use(_req: unknown, _res: unknown, next: () => void) {
    sqlQueryCounter.run({ count: 0 }, next);
  }
}

/** Adds `extensions.sqlQueries` to every GraphQL response (EXPOSE_SQL_COUNT=true only). */
export const sqlCountPlugin: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        const store = sqlQueryCounter.getStore();
        if (store && response.body.kind === 'single') {
          response.body.singleResult.extensions = {
            ...response.body.singleResult.extensions,
            sqlQueries: store.count,
          };
        }
      },
    };
  },
};
