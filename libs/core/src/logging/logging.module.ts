import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/**
 * Reuses a well-formed incoming `x-request-id` or makes one. The api's HTTP server assigns it
 * (Fastify `genReqId`) and echoes it on the response; pino-http then logs it as `reqId`.
 */
export function requestId(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

const urlOf = (req: IncomingMessage & { originalUrl?: string }) => req.originalUrl ?? req.url ?? '';

/**
 * JSON logs with pino. In the api every line written while handling a request carries its
 * `reqId` (nestjs-pino keeps it in AsyncLocalStorage); the worker adds job fields itself.
 */
@Module({})
export class LoggingModule {
  /**
   * Call from the root module's `forRoot` (not at import time): nestjs-pino makes providers for
   * every `@InjectPinoLogger(context)` seen so far, so it must run after all classes are loaded.
   */
  static forRoot(): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => ({
            pinoHttp: {
              level: config.log.level,
              genReqId: requestId,
              quietReqLogger: true,
              customAttributeKeys: { reqId: 'reqId' },
              // secrets never reach a log line, whatever object carries them
              redact: {
                paths: [
                  'req.headers.authorization',
                  'req.headers.cookie',
                  'password',
                  '*.password',
                  '*.*.password',
                  'token',
                  '*.token',
                  '*.*.token',
                  'variables',
                  '*.variables',
                ],
                censor: '[redacted]',
              },
              autoLogging: {
                ignore: (req: IncomingMessage) => urlOf(req).startsWith('/health'),
              },
              serializers: {
                req: (req: IncomingMessage & { id: string; originalUrl?: string }) => ({
                  method: req.method,
                  url: urlOf(req).replace(/\/s\/[^/?]+/, '/s/…'),
                }),
              },
              transport: config.log.pretty ? { target: 'pino-pretty' } : undefined,
            },
          }),
        }),
      ],
      exports: [LoggerModule],
    };
  }
}
