/**
 * The headers an import (`npm run mock -- --from --original-headers`) sends with an exported event: the
 * server's own rule for re-sent events (`forwardHeaders`: the stored headers less hop-by-hop and
 * credential ones), and less what would only get the import refused or unreadable (docs/forwarding.md).
 */
import { forwardHeaders } from '../../server/src/jobs/sender.js';

/**
 * Signatures and their timestamps: a second hookscope has its own secret, and a Standard Webhooks
 * timestamp is stale after 300 s. The delivery ids (`webhook-id`, `svix-id`, `X-GitHub-Delivery`) stay:
 * they make a repeated import a duplicate, not a copy. Accept-Encoding goes too, so that a refusal's
 * body is readable text.
 */
const IMPORT_DROPPED = new Set([
  'webhook-signature',
  'webhook-timestamp',
  'svix-signature',
  'svix-timestamp',
  'x-hub-signature',
  'x-hub-signature-256',
  'accept-encoding',
]);

/** The stored headers an import sends on. */
export function importHeaders(stored: Record<string, string> | null | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(forwardHeaders(stored ?? null)).filter(([name]) => !IMPORT_DROPPED.has(name)),
  );
}
