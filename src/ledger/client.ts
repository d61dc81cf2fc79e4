import type {
  CodeIssueRequest,
  CodeRedemption,
  CodeRedemptionRequest,
  GrantStatus,
  IatConsumption,
  IatConsumptionRequest,
  Ledger,
  PushedRequestStorage,
  PushedRequestTake,
  PushedRequestTaking,
  RefreshTokenRevocation,
  RefreshTokenStatus,
  Rotation,
  RotationRequest,
  SingleUse,
} from './ledger';
import { newLedgerId, shardName, shardOf, singleUseShardOf, type Region, type ShardAddress } from './shards';
import { temporarilyUnavailable } from '../errors';
import { sha256Hex } from '../tokens/secrets';

export type {
  CodeRedemption,
  GrantStatus,
  IatConsumption,
  PushedRequestTake,
  RefreshTokenRevocation,
  RefreshTokenStatus,
  Rotation,
  SingleUse,
};

/** A value that may be used once while valid: `namespace` keeps kinds apart (say `client_assertion:<client id>`). */
export interface SingleUseValue {
  namespace: string;
  value: string;
  /** ms since epoch; the value is refused anyway after it. */
  expiresAt: number;
}

/** An initial access token's spend, with the DPoP proof presented with it as a value to use once (not yet hashed). */
export interface IatSpend extends Omit<IatConsumptionRequest, 'proof'> {
  proof?: SingleUseValue;
}

/** The key a single-use value is kept under: its hash with its namespace, so kinds never collide. */
const singleUseKey = ({ namespace, value }: Omit<SingleUseValue, 'expiresAt'>) => sha256Hex(`${namespace}\n${value}`);

/**
 * What the domain needs from the ledger: one call per grant step, each routed to the shard its id names. Every call
 * throws `temporarily_unavailable` (503) when the shard cannot answer: callers fail closed. An id that names no shard
 * of ours reaches no object at all and gets the answer for an unknown token.
 */
export interface OneTimeLedger {
  /** A new grant id on a shard of the minting request's region. */
  newGrantId(): string;
  /** A new token id (`jti`) on the same shard as its grant, so spending it and revoking the grant meet in one object. */
  newTokenId(grantId: string): string;
  consumeInitialAccessToken(request: IatSpend): Promise<IatConsumption>;
  issueCode(request: CodeIssueRequest): Promise<boolean>;
  redeemCode(request: CodeRedemptionRequest): Promise<CodeRedemption>;
  rotateRefreshToken(request: RotationRequest): Promise<Rotation>;
  isGrantRevoked(grantId: string): Promise<boolean>;
  /** Whether the grant is revoked and what its claims parameter asked for, in one call (userinfo). */
  grantStatus(grantId: string): Promise<GrantStatus>;
  refreshTokenStatus(request: { grantId: string; tokenHash: string; now: number }): Promise<RefreshTokenStatus>;
  revokeGrant(request: { grantId: string; retainUntil: number }): Promise<void>;
  revokeRefreshToken(request: { grantId: string; tokenHash: string; clientId: string }): Promise<RefreshTokenRevocation>;
  /** `first` the first time a value is used while valid, `replayed` every time after (a `jti` we did not mint). */
  useOnce(request: SingleUseValue): Promise<SingleUse>;
  /** Stores a pushed authorization request on the shard its id names; false when the id is taken. */
  pushAuthorizationRequest(request: PushedRequestStorage): Promise<boolean>;
  /** Takes a pushed authorization request, once, for the client that pushed it. */
  takePushedRequest(request: PushedRequestTaking): Promise<PushedRequestTake>;
  /** Readiness: shard 0 of this request's region answers. */
  ping(): Promise<void>;
}

export interface LedgerPlacement {
  /** Where this request mints new ids. */
  region: Region;
  /** Shards per region: new ids go to one of them, and ids naming a shard beyond them are refused unseen. */
  shardCount: number;
}

export function durableLedger(namespace: DurableObjectNamespace<Ledger>, placement: LedgerPlacement): OneTimeLedger {
  /** Runs one RPC on the shard `id` names. Never retried: a call that reached the shard may have taken effect. */
  function call<T>(id: string, unknown: T, rpc: (shard: DurableObjectStub<Ledger>) => Promise<T>): Promise<T> {
    const address = shardOf(id, placement.shardCount);
    return address ? callShard(address, rpc) : Promise.resolve(unknown);
  }
  async function callShard<T>(address: ShardAddress, rpc: (shard: DurableObjectStub<Ledger>) => Promise<T>): Promise<T> {
    try {
      return await rpc(namespace.get(namespace.idFromName(shardName(address)), { locationHint: address.region }));
    } catch (error) {
      throw temporarilyUnavailable('the one-time token ledger is unavailable; try again with a new token', error);
    }
  }
  return {
    newGrantId: () => newLedgerId(placement.region, placement.shardCount),
    newTokenId: (grantId) => newLedgerId(placement.region, placement.shardCount, grantId),
    async consumeInitialAccessToken({ proof, ...spend }) {
      const request: IatConsumptionRequest = proof
        ? { ...spend, proof: { keyHash: await singleUseKey(proof), expiresAt: proof.expiresAt } }
        : spend;
      return call<IatConsumption>(request.grantId, 'used', (shard) => shard.consumeInitialAccessToken(request));
    },
    issueCode: (request) => call(request.grantId, false, (shard) => shard.issueCode(request)),
    redeemCode: (request) =>
      call<CodeRedemption>(request.grantId, { outcome: 'unknown' }, async (shard) => (await shard.redeemCode(request)) as CodeRedemption),
    rotateRefreshToken: (request) =>
      call<Rotation>(request.grantId, { outcome: 'unknown' }, async (shard) => (await shard.rotateRefreshToken(request)) as Rotation),
    isGrantRevoked: (grantId) => call(grantId, false, (shard) => shard.isGrantRevoked({ grantId })),
    grantStatus: (grantId) =>
      call<GrantStatus>(grantId, { revoked: false }, async (shard) => (await shard.grantStatus({ grantId })) as GrantStatus),
    refreshTokenStatus: (request) =>
      call<RefreshTokenStatus>(
        request.grantId,
        { active: false },
        async (shard) => (await shard.refreshTokenStatus(request)) as RefreshTokenStatus,
      ),
    revokeGrant: (request) => call(request.grantId, undefined, (shard) => shard.revokeGrant(request)),
    revokeRefreshToken: (request) => call<RefreshTokenRevocation>(request.grantId, 'unknown', (shard) => shard.revokeRefreshToken(request)),
    async useOnce({ namespace, value, expiresAt }) {
      const keyHash = await singleUseKey({ namespace, value });
      return callShard<SingleUse>(singleUseShardOf(keyHash, placement.shardCount), (shard) => shard.useOnce({ keyHash, expiresAt }));
    },
    pushAuthorizationRequest: (request) => call(request.requestId, false, (shard) => shard.pushAuthorizationRequest(request)),
    takePushedRequest: (request) =>
      call<PushedRequestTake>(
        request.requestId,
        { outcome: 'unknown' },
        async (shard) => (await shard.takePushedRequest(request)) as PushedRequestTake,
      ),
    ping: () => call(newLedgerId(placement.region, 1), undefined, (shard) => shard.ping()),
  };
}
