import { randomToken } from '../tokens/secrets';

/**
 * Where a one-time token lives: a fixed set of long-lived ledger objects, LEDGER_SHARDS per region, each created
 * near its region with a location hint. The shard is chosen where a token is minted, at random among the minting
 * request's region's shards, and written into the token's id (`<region>-<shard>-<22 random characters>`), so a
 * redemption goes straight to its object: no lookup, and no object created per token. docs/architecture.md has the
 * shard count rule and how to grow it.
 */

/** Cloudflare's Durable Object location hints. */
export const REGIONS = ['wnam', 'enam', 'sam', 'weur', 'eeur', 'apac', 'oc', 'afr', 'me'] as const;
export type Region = (typeof REGIONS)[number];

export interface ShardAddress {
  region: Region;
  shard: number;
}

/** The name a shard's object is found by. Versioned, so a future layout can live beside this one. */
export const shardName = (address: ShardAddress) => `ledger-v1:${address.region}:${address.shard}`;

const ID = /^([a-z]{2,4})-(0|[1-9][0-9]{0,3})-[A-Za-z0-9_-]{22}$/;
/** The shape of a ledger id, for the token formats that embed one. */
export const LEDGER_ID_PATTERN = '[a-z]{2,4}-(?:0|[1-9][0-9]{0,3})-[A-Za-z0-9_-]{22}';

/** A new id (a grant's, or a token's `jti`) on a random shard of `region`, or on the same shard as `sameShardAs`. */
export function newLedgerId(region: Region, shardCount: number, sameShardAs?: string): string {
  const address = (sameShardAs && shardOf(sameShardAs, Number.MAX_SAFE_INTEGER)) || {
    region,
    shard: Math.floor(Math.random() * shardCount),
  };
  return `${address.region}-${address.shard}-${randomToken(16)}`;
}

/**
 * The shard an id names, or null when it names none of ours: an unknown region, or a shard at or beyond the count
 * (such an id was never issued, and it must not bring a new object into being).
 */
export function shardOf(id: string, shardCount: number): ShardAddress | null {
  const match = ID.exec(id);
  if (!match) return null;
  const region = match[1] as Region;
  const shard = Number(match[2]);
  return REGIONS.includes(region) && shard < shardCount ? { region, shard } : null;
}

/**
 * Values we did not mint (a client assertion's `jti`, a DPoP proof's) carry no shard, and a replay may come from
 * anywhere: all of them live in the shards of one region, chosen by their key's hash, so that every replay meets the
 * first use in one object. That region is the D1 primary's usual one: a check costs about what a D1 read does.
 * Growing LEDGER_SHARDS moves some keys to other shards; a value used just before and replayed just after the
 * deploy then goes unseen once (docs/architecture.md).
 */
export const SINGLE_USE_REGION: Region = 'enam';

/** The shard of a single-use key (hex SHA-256). */
export function singleUseShardOf(keyHash: string, shardCount: number): ShardAddress {
  return { region: SINGLE_USE_REGION, shard: Number.parseInt(keyHash.slice(0, 8), 16) % shardCount };
}

/** Where the minting request came from, as Cloudflare reports it on `request.cf`. */
export interface RequestLocation {
  continent?: string;
  country?: string;
  longitude?: string;
}

const MIDDLE_EAST = new Set(['AE', 'BH', 'IL', 'IQ', 'IR', 'JO', 'KW', 'LB', 'OM', 'PS', 'QA', 'SA', 'SY', 'YE']);

/** The region whose shards a request mints into: the one nearest the requester. */
export function regionOf(location: RequestLocation | undefined, fallback: Region): Region {
  const longitude = Number(location?.longitude);
  switch (location?.continent) {
    case 'NA':
      return Number.isFinite(longitude) && longitude < -100 ? 'wnam' : 'enam';
    case 'SA':
      return 'sam';
    case 'EU':
      return Number.isFinite(longitude) && longitude > 20 ? 'eeur' : 'weur';
    case 'AS':
      return location.country && MIDDLE_EAST.has(location.country) ? 'me' : 'apac';
    case 'OC':
    case 'AN':
      return 'oc';
    case 'AF':
      return 'afr';
    default:
      return fallback;
  }
}
