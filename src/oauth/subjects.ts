import { serverError } from '../errors';
import { pairwiseCodec } from '../tokens/pairwise';
import type { Client } from './client';

/**
 * The `sub` a client knows a user by (OpenID Connect Core 8): the user's own subject for a public client; for a
 * pairwise one, a value stable for the client's sector and different in every other (src/tokens/pairwise.ts). It
 * reaches the client everywhere the subject does: ID token, access token, userinfo, introspection, refresh token.
 */
export interface Subjects {
  of(client: SubjectClient, subject: string): Promise<string>;
  /** Throws the server_error `of` would throw for this client (before anything is issued to it). */
  requireUsable(client: SubjectClient): void;
  /**
   * The user subject to read for a `sub` some client was given (a pairwise one opened, a public one as it is),
   * before the client is known. It is that client's user only if `of` then gives `sub` back for the client.
   */
  toRead(sub: string): Promise<string>;
}

type SubjectClient = Pick<Client, 'subjectType' | 'pairwiseSector'>;

export const PAIRWISE_SECRET_MISSING = 'PAIRWISE_SECRET is not set: run npm run setup (locally, npm start writes it to .dev.vars)';

/** Without PAIRWISE_SECRET public clients work as ever; a pairwise one is a server_error naming the secret. */
export function subjectsFor(secret: string | undefined): Subjects {
  /** The client's sector, or null for a public client. */
  const sectorFor = (client: SubjectClient) => {
    if (client.subjectType === 'public') return null;
    if (!secret) throw serverError(PAIRWISE_SECRET_MISSING);
    // Refused where it is configured (src/oauth/pairwise-sector.ts); never fall back to the public subject.
    if (client.pairwiseSector === null) throw serverError('this pairwise client has no sector');
    return client.pairwiseSector;
  };
  return {
    async of(client, subject) {
      const sector = sectorFor(client);
      return sector === null ? subject : (await pairwiseCodec(secret!)).seal(sector, subject);
    },
    requireUsable: (client) => void sectorFor(client),
    async toRead(sub) {
      return (secret ? await (await pairwiseCodec(secret)).open(sub) : null) ?? sub;
    },
  };
}

/** Whether `sub` is what `client` knows the user of `subject` by. */
export async function isSubjectOf(subjects: Subjects, client: SubjectClient, subject: string, sub: string) {
  return (await subjects.of(client, subject)) === sub;
}
