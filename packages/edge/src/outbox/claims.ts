/** Seq bounds (exclusive) of a stretch of the outbox that no in-flight batch holds. */
export interface FreeRegion {
  after: number;
  before: number;
}

interface Claim {
  firstSeq: number;
  lastSeq: number;
  snapshotSeqs: number[];
}

/**
 * Which rows are in flight, in memory only: after a restart nothing is in flight and every undelivered row is sent
 * again (the hub deduplicates by id).
 *
 * A batch takes consecutive pending events, so it holds one seq range; ranges never overlap. Pending events inside
 * a range belong to that batch, so they cannot go out twice at once.
 */
export class ClaimRegistry {
  private readonly claims = new Map<number, Claim>();
  private readonly claimedSnapshots = new Set<number>();
  private nextClaimId = 1;

  claim(firstSeq: number, lastSeq: number, snapshotSeqs: number[]): number {
    const id = this.nextClaimId++;
    this.claims.set(id, { firstSeq, lastSeq, snapshotSeqs });
    for (const seq of snapshotSeqs) this.claimedSnapshots.add(seq);
    return id;
  }

  release(claimId: number): void {
    const claim = this.claims.get(claimId);
    if (!claim) return;
    this.claims.delete(claimId);
    for (const seq of claim.snapshotSeqs) this.claimedSnapshots.delete(seq);
  }

  isSnapshotClaimed(seq: number): boolean {
    return this.claimedSnapshots.has(seq);
  }

  get size(): number {
    return this.claims.size;
  }

  /** Unclaimed stretches in seq order; the last one is open-ended. Batches without events hold no range. */
  freeRegions(): FreeRegion[] {
    const ranges = [...this.claims.values()]
      .filter((c) => c.firstSeq <= c.lastSeq)
      .sort((a, b) => a.firstSeq - b.firstSeq);
    const regions: FreeRegion[] = [];
    let after = 0;
    for (const range of ranges) {
      if (range.firstSeq > after + 1) regions.push({ after, before: range.firstSeq });
      after = Math.max(after, range.lastSeq);
    }
    regions.push({ after, before: Number.MAX_SAFE_INTEGER });
    return regions;
  }
}
