import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Inbound mail finds the customer owning a sender's domain by `lower(domain)` (once per filing
 * batch, `customersByDomains`, and `customerByDomain`); without an index on the expression that
 * was a scan of every customer (100k at full size) in every batch. Issue 14.
 */
export class CustomersDomainLowerIndex1766000000000 implements MigrationInterface {
  name = 'CustomersDomainLowerIndex1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX customers_domain_lower_idx ON customers (lower(domain))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX customers_domain_lower_idx`);
  }
}
