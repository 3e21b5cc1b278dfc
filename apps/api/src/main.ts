import 'reflect-metadata';
import { runProcess } from '@staydesk/core';
import { createApi } from './bootstrap';

void runProcess('staydesk-api', async (config) => {
  const app = await createApi(config);
  await app.listen({ port: config.http.port, host: config.http.host });
  const url = await app.getUrl();
  return {
    ready: `api listening on ${url} (GraphQL ${config.http.publicUrl}/graphql, health ${config.http.publicUrl}/health/ready)`,
    close: () => app.close(),
  };
});
