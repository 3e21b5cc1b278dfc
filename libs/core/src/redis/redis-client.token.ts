/** Injection token of the plain (fail-fast) Redis client. */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
