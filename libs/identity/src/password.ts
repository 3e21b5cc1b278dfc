import bcrypt from 'bcryptjs';
import { badInput } from '@staydesk/core';

const COST = 10;

export const MIN_PASSWORD_LENGTH = 10;

export function validatePassword(password: string, field = 'password'): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw badInput(field, `must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (password.length > 200) throw badInput(field, 'must be at most 200 characters');
}

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, COST);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}

/** A hash to compare against when the user does not exist, so timing does not reveal it. */
export const DUMMY_HASH = '$2b$10$CwTycUXWue0Thq9StjUM0uJ8.7Q0hj3nMyGr6lW3i8Xn1q0a7rj4K';
