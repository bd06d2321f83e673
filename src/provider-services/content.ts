import QRCode from 'qrcode';
import { invalidInput } from '../domain/errors';
import type { ServiceKind } from './model';

/** Channel codes of the provider document's `Cannel` (an int there): the table this server uses (the provider adapter's doc). */
export const CHANNEL_CODES: Record<number, string> = { 1: 'SMS', 2: 'FCM', 3: 'SAT', 4: 'IM', 5: 'EMAIL' };

const MAX_TITLE = 32;
const MAX_MESSAGE = 166;
export const MAX_PICTURE_BASE64 = 48 * 1024;

type Fields = Record<string, unknown>;
/** The first of the document's spellings that is present. */
const pick = (o: Fields, names: string[]) => names.map((n) => o[n]).find((v) => v !== undefined && v !== null);

function text(o: Fields, names: string[], max: number, field: string, required: boolean): string | undefined {
  const v = pick(o, names);
  if (v === undefined) {
    if (required) throw invalidInput(`${field} is required`, field, 'required');
    return undefined;
  }
  if (typeof v !== 'string' || !v.trim()) throw invalidInput(`${field} must be a non-empty string`, field);
  if ([...v].length > max) throw invalidInput(`${field} must be at most ${max} characters`, field);
  return v;
}

export function channelOf(o: Fields): string {
  const v = pick(o, ['canal', 'Canal', 'Cannel', 'cannel', 'channel', 'Channel']);
  if (typeof v === 'number' && CHANNEL_CODES[v]) return CHANNEL_CODES[v]!;
  if (typeof v === 'string' && /^\d+$/.test(v) && CHANNEL_CODES[Number(v)]) return CHANNEL_CODES[Number(v)]!;
  if (typeof v === 'string' && /^[A-Za-z][A-Za-z0-9_]{1,15}$/.test(v)) return v.toUpperCase();
  throw invalidInput(
    'canal must be a channel name (SMS, FCM, SAT, IM, EMAIL, …) or its code',
    'canal',
    v === undefined ? 'required' : 'invalid',
  );
}

/** The service's parameter object, by the kind of the service (the document's key and two common spellings). */
const PARAM_KEYS: Record<ServiceKind, string[]> = {
  notification: ['notification', 'Notification'],
  advertisement: ['advertisement', 'Advertisement'],
  qr_code: ['qr_code', 'qrCode', 'QRcode'],
  micro_payment: ['microPayment', 'micro_payment', 'MicroPayment'],
};

/** What the gateway receives for one consumption: checked, with the document's spellings normalised. */
export async function dispatchPayload(
  kind: ServiceKind,
  parameters: Fields,
): Promise<{ channel: string; payload: Record<string, unknown> }> {
  const raw = pick(parameters, PARAM_KEYS[kind]);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw invalidInput(`parameters.${PARAM_KEYS[kind][0]} is required by this service`, 'parameters', 'required');
  const p = raw as Fields;
  const channel = channelOf(p);
  const title = text(
    p,
    ['titulo', 'Titre', 'Tittle', 'title', 'Title'],
    MAX_TITLE,
    'title',
    kind === 'notification' || kind === 'advertisement',
  );
  const message = text(p, ['mensaje', 'Message', 'message'], MAX_MESSAGE, 'message', kind === 'notification' || kind === 'advertisement');
  const link = text(p, ['Link', 'link', 'enlace'], 2048, 'link', false);
  const out: Record<string, unknown> = { kind, ...(title ? { title } : {}), ...(message ? { message } : {}), ...(link ? { link } : {}) };
  const picture = pick(p, ['Picture', 'picture', 'imagen']);
  if (picture !== undefined) {
    if (kind !== 'advertisement') throw invalidInput('only advertisements carry a picture', 'picture');
    if (typeof picture !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(picture)) throw invalidInput('picture must be base64', 'picture');
    if (picture.length > MAX_PICTURE_BASE64)
      throw invalidInput(`picture must be at most ${MAX_PICTURE_BASE64} base64 characters`, 'picture');
    out.picture = picture;
  }
  if (kind === 'qr_code') {
    const data = text(p, ['data', 'content', 'code', 'texto'], 1024, 'data', true)!;
    out.data = data;
    out.picture = (await QRCode.toDataURL(data, { errorCorrectionLevel: 'M', margin: 2 })).replace(/^data:image\/png;base64,/, '');
    out.pictureType = 'image/png';
  }
  if (kind === 'micro_payment') {
    const amount = pick(p, ['amount', 'monto', 'montant']);
    if (typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0 || amount > 1e9)
      throw invalidInput('amount must be a positive number', 'amount');
    const currency = pick(p, ['currency', 'moneda', 'devise']);
    if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) throw invalidInput('currency must be an ISO 4217 code', 'currency');
    out.amount = amount;
    out.currency = currency;
    out.concept = text(p, ['concept', 'concepto', 'description'], MAX_MESSAGE, 'concept', false);
    out.note = 'payment request only: no money is moved';
  }
  return { channel, payload: out };
}
