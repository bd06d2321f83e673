import { invalidInput } from '../domain/errors';

const USERNAME = /^[A-Za-z0-9_.-]+$/;
/** The longest username, in bytes. */
export const USERNAME_MAX_BYTES = 64;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Username rules (DESIGN.md, the domain model): letters, digits, "_", "-", "." only, at most 64 bytes,
 * not a UUID (it would collide with entity ids). Case is kept; uniqueness ignores it.
 */
export function checkUsername(username: unknown, field = 'username'): string {
  if (typeof username !== 'string' || username.length === 0) throw invalidInput('username is required', field, 'required');
  if (Buffer.byteLength(username) > USERNAME_MAX_BYTES)
    throw invalidInput(`username must be at most ${USERNAME_MAX_BYTES} bytes`, field, 'too_long');
  if (!USERNAME.test(username)) {
    throw invalidInput('username may contain only letters, digits, "_", "-" and "."', field, 'illegal_characters');
  }
  if (UUID.test(username)) throw invalidInput('username must not be a UUID', field, 'illegal_characters');
  return username;
}

export const usernameKey = (username: string) => username.toLowerCase();

export function checkPassword(password: unknown, field = 'password'): string {
  if (typeof password !== 'string' || password.length === 0) throw invalidInput('password is required', field, 'required');
  if (password.length > 64) throw invalidInput('password must be at most 64 characters', field, 'too_long');
  return password;
}

export function checkGroupId(value: string, field: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(value)) throw invalidInput('group id must be 1 to 64 letters, digits, "_" or "-"', field);
  return value;
}
