import type { MessageContent } from '../../messages/service';
import type { MessageRecord } from '../../messages/records';

/**
 * GoBelieve `content` is a string, by convention JSON such as `{"text": "hi"}`. A JSON object is
 * kept whole as the payload (its `text` is the message's text when present); any other string is
 * plain text. So every surface reads the text, and GoBelieve gets back exactly what was sent.
 */
export function contentOf(content: string, type?: 'system' | 'notification'): MessageContent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    parsed = undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { type: type ?? 'text', text: content };
  const text = (parsed as { text?: unknown }).text;
  return { type: type ?? (typeof text === 'string' ? 'text' : 'custom'), text: typeof text === 'string' ? text : null, payload: content };
}

/** The content string a message was sent with (or its text, for messages from other surfaces). */
export const contentString = (m: MessageRecord) => m.payload ?? m.text ?? '';
