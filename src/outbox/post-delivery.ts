import type { Endpoint } from './endpoints';
import type { HttpPoster } from './http-post';
import type { DeliveryDoc } from './model';
import { SIGNATURE_HEADER, signatureHeader } from './signature';
import type { AttemptOutcome } from './store';
import { currentTraceparent } from '../observability/tracing';

/**
 * One attempt's POST: the signed body with the delivery's id as Idempotency-Key, and the trace's
 * `traceparent` when tracing. Resolves to undefined when the receiver took it (2xx), else to why not.
 */
export async function postDelivery(
  poster: HttpPoster,
  doc: DeliveryDoc,
  endpoint: Extract<Endpoint, { url: string }>,
): Promise<AttemptOutcome['lastError'] | undefined> {
  const traceparent = currentTraceparent();
  const headers = {
    'user-agent': 'imfacade-outbox/1',
    ...(traceparent ? { traceparent } : {}),
    'idempotency-key': doc._id.toHexString(),
    'x-imfacade-delivery': doc._id.toHexString(),
    'x-imfacade-attempt': String(doc.attempts),
    ...(doc.eventType ? { 'x-imfacade-event': doc.eventType } : {}),
    [SIGNATURE_HEADER]: signatureHeader(endpoint.secret, doc.body),
  };
  try {
    const answer = await poster.post(endpoint.url, doc.body, headers);
    if (answer.status >= 200 && answer.status < 300) return undefined;
    const message =
      answer.status >= 300 && answer.status < 400 ? `redirect ${answer.status} not followed` : `receiver answered ${answer.status}`;
    return { status: answer.status, message, body: answer.excerpt };
  } catch (e) {
    return { message: e instanceof Error ? e.message : String(e) };
  }
}
