import { invalidInput } from './errors';

/** Field rules shared by every area (profiles, names, URLs, hours). Each names the field at fault. */

export function checkText(value: string, max: number, field: string): string {
  if (typeof value !== 'string') throw invalidInput(`${field} must be a string`, field);
  if (value.length > max) throw invalidInput(`${field} must be at most ${max} characters`, field, 'too_long');
  if (/[\u0000-\u001f]/.test(value)) throw invalidInput(`${field} must not contain control characters`, field);
  return value;
}

export function checkEmail(value: string, field = 'profile.email'): string {
  if (typeof value !== 'string' || value.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value))
    throw invalidInput('email is not valid', field);
  return value;
}

export function checkMobile(value: string, field = 'profile.mobile'): string {
  if (typeof value !== 'string' || !/^\+?[0-9][0-9 -]{2,23}$/.test(value))
    throw invalidInput('mobile must be digits, optionally with a leading +', field);
  return value;
}

export function checkUrl(value: string, field: string): string {
  let ok: boolean;
  try {
    ok = typeof value === 'string' && value.length <= 2048 && ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    ok = false;
  }
  if (!ok) throw invalidInput(`${field} must be an http(s) URL`, field);
  return value;
}

export function checkHour(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 23) throw invalidInput(`${field} must be an hour from 0 to 23`, field);
  return value;
}
