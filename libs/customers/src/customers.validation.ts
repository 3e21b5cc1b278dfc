import { badInput } from '@staydesk/core';
import { validateEmail, validateId, validateName } from '@staydesk/identity';
import { TIERS } from './customers.rows';
import type { Tier } from './customers.rows';

/**
 * What the customer and contact mutations take, and their checks (moved out of
 * customers.service.ts).
 */
export interface CustomerInput {
  name?: string | null;
  domain?: string | null;
  tier?: Tier | null;
  mrr?: number | null;
  accountManagerId?: string | null;
  customerSince?: Date | null;
  renewalDate?: string | null;
  customFields?: Record<string, unknown> | null;
}

export interface ContactInput {
  name?: string | null;
  email?: string | null;
  phone?: string | null;
  surveyOptOut?: boolean | null;
}

const DOMAIN = /^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function validateCustomer(input: CustomerInput): CustomerInput {
  const out: CustomerInput = {};
  if (input.name != null) out.name = validateName(input.name, 'name', 200);
  if (input.domain != null) {
    const d = input.domain.trim().toLowerCase();
    if (d && !DOMAIN.test(d))
      throw badInput('domain', `"${d.slice(0, 60)}" is not a domain name like example.com`);
    out.domain = d || null;
  }
  if (input.tier != null) {
    if (!TIERS.includes(input.tier)) throw badInput('tier', `must be one of ${TIERS.join(', ')}`);
    out.tier = input.tier;
  }
  if (input.mrr != null) {
    if (!Number.isFinite(input.mrr) || input.mrr < 0 || input.mrr > 1e9) {
      throw badInput('mrr', 'must be a number from 0 to 1,000,000,000');
    }
    out.mrr = Math.round(input.mrr * 100) / 100;
  }
  if (input.accountManagerId != null)
    out.accountManagerId = validateId(input.accountManagerId, 'accountManagerId');
  if (input.customerSince != null) {
    if (Number.isNaN(input.customerSince.getTime()))
      throw badInput('customerSince', 'is not a valid date-time');
    if (input.customerSince.getTime() > Date.now() + 86_400_000)
      throw badInput('customerSince', 'cannot be in the future');
    out.customerSince = input.customerSince;
  }
  if (input.renewalDate != null) {
    if (!DATE.test(input.renewalDate) || Number.isNaN(Date.parse(input.renewalDate))) {
      throw badInput('renewalDate', 'must be a date like 2027-03-31');
    }
    out.renewalDate = input.renewalDate;
  }
  if (input.customFields != null) out.customFields = input.customFields;
  return out;
}

export function validateContact(
  input: ContactInput,
  path: string,
  creating: boolean,
): ContactInput {
  if (creating && (input.name == null || input.email == null)) {
    throw badInput(`${path}.${input.name == null ? 'name' : 'email'}`, 'is required');
  }
  const out: ContactInput = {};
  if (input.name != null) out.name = validateName(input.name, `${path}.name`, 200);
  if (input.email != null) out.email = validateEmail(input.email, `${path}.email`);
  if (input.phone != null) {
    const p = input.phone.trim();
    if (p.length > 40 || !/^[+0-9 ()./-]*$/.test(p))
      throw badInput(`${path}.phone`, 'must be a phone number (digits, spaces, + ( ) - . /)');
    out.phone = p || null;
  }
  if (input.surveyOptOut != null) out.surveyOptOut = input.surveyOptOut;
  return out;
}
