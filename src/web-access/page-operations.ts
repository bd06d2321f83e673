const FIELDS = 'id seq cursor text payload sender { username }';

/**
 * Every GraphQL operation the web chat page (under web/) runs, in one place: the page fetches
 * them from its own URL, and a persisted-operations allow-list (PERSISTED_OPERATIONS) always admits
 * them, so switching the list on never breaks the page behind web access links.
 */
export const CHAT_PAGE_OPERATIONS = {
  open: 'mutation($b: String!) { openDirectConversation(peer: { username: $b }) { id } }',
  history: `query($c: ID!) { messages(conversationId: $c, last: 50) { nodes { ${FIELDS} } } }`,
  send: 'mutation($i: SendMessageInput!) { sendMessage(input: $i) { id } }',
  live: `subscription($c: ID!, $a: String) { messageAdded(conversationId: $c, after: $a) { ${FIELDS} } }`,
} as const;
