import crypto from 'node:crypto';
import { Types } from 'mongoose';
import type { Logger } from 'pino';
import type { Application } from '../../src/app/index';
import { sha256 } from '../../src/apps/credentials';
import { hashPassword } from '../../src/users/password';

/**
 * Bench fixtures, written through the domain services where that is what is measured elsewhere,
 * and straight to the collections where the API would only add minutes of password hashing
 * (one Argon2 hash is shared by every bench user; tokens are stored as the token service does).
 */
export async function seedApp(app: Application, log: Logger) {
  const s = app.services;
  const opCtx = s.context({ kind: 'operator' }, log, 'bench-seed');
  const creds = await s.apps.create(opCtx, { name: `bench${crypto.randomBytes(3).toString('hex')}` });
  const em = creds.easemob as { clientId: string; clientSecret: string };
  const issued = await s.tokens.issueAppToken({ clientId: em.clientId, clientSecret: em.clientSecret });
  const appCtx = () =>
    s.context({ kind: 'app', appId: creds.appId, tokenId: issued.tokenId, expiresAt: issued.expiresAt }, log, 'bench-seed');
  return { creds, adminToken: issued.accessToken, appCtx };
}

export async function seedUsers(app: Application, appId: string, count: number, prefix = 'u') {
  const db = app.db.connection;
  const passwordHash = await hashPassword('bench-password');
  const now = new Date();
  const users = Array.from({ length: count }, (_, i) => ({
    _id: new Types.ObjectId(),
    appId: new Types.ObjectId(appId),
    username: `${prefix}${i}`,
    usernameKey: `${prefix}${i}`,
    uuid: crypto.randomUUID(),
    passwordHash,
    activated: true,
    notification: {},
    deviceTokens: [],
    profile: {},
    createdAt: now,
    updatedAt: now,
  }));
  const tokens = users.map((u) => ({ secret: crypto.randomBytes(32).toString('base64url'), userId: u._id }));
  for (let i = 0; i < users.length; i += 1000) await db.collection('users').insertMany(users.slice(i, i + 1000));
  const expiresAt = new Date(Date.now() + 86_400_000);
  for (let i = 0; i < tokens.length; i += 1000) {
    await db.collection('tokens').insertMany(
      tokens.slice(i, i + 1000).map((t) => ({
        appId: new Types.ObjectId(appId),
        kind: 'user',
        userId: t.userId,
        secretHash: sha256(t.secret),
        expiresAt,
        revokedAt: null,
        createdAt: now,
      })),
    );
  }
  return users.map((u, i) => ({ id: u._id.toHexString(), username: u.username, token: tokens[i]!.secret }));
}

/** `count` messages appended straight to one conversation (seq 1..count), for the history scenario. */
export async function seedHistory(app: Application, appId: string, conversationId: string, senderId: string, count: number) {
  const db = app.db.connection;
  const base = Date.now() * 2048;
  for (let from = 0; from < count; from += 5000) {
    const docs = Array.from({ length: Math.min(5000, count - from) }, (_, k) => {
      const seq = from + k + 1;
      return {
        appId: new Types.ObjectId(appId),
        conversationId: new Types.ObjectId(conversationId),
        seq,
        uid: base + seq,
        senderId: new Types.ObjectId(senderId),
        type: 'text',
        text: `history ${seq}`,
        createdAt: new Date(),
      };
    });
    await db.collection('messages').insertMany(docs, { ordered: false });
  }
  await db.collection('conversations').updateOne({ _id: new Types.ObjectId(conversationId) }, { $max: { lastSeq: count } });
}
