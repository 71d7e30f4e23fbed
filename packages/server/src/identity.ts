/** Who is calling, as `identify(request)` says. Keys and log entries are scoped to it. */
export interface Identity {
  userId?: string | null;
  projectId?: string | null;
  roles?: string[];
  /** Set by aiu when the request came with a client key (`Authorization: Bearer aiu_…`): its id. */
  clientKeyId?: string | null;
}

export type IdentifyFn = (request: Request) => Identity | null | undefined | Promise<Identity | null | undefined>;

export const ANONYMOUS: Identity = Object.freeze({ userId: null, projectId: null, roles: [] });
