import { TEMPLATE_ENV, dropTestDatabase } from './test-database';

export default async function globalTeardown(): Promise<void> {
  const template = process.env[TEMPLATE_ENV];
  if (!template) return;
  delete process.env[TEMPLATE_ENV];
  await dropTestDatabase(template);
}
