// Imported first by main.ts: starts OpenTelemetry (only when OTEL_EXPORTER_OTLP_ENDPOINT is set)
// before http, pg, ioredis and graphql are loaded, so their instrumentations can patch them.
import { initTracing } from '@staydesk/telemetry';

initTracing('staydesk-api');
