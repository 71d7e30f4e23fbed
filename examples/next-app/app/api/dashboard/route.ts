import { isDemo } from '../../../lib/aiu';

export const dynamic = 'force-dynamic';

/** What the shared pages ask their server about itself, as the Express example and `aiu serve` answer it. */
export function GET(): Response {
  return Response.json({ demo: isDemo() });
}
