import type { Store } from '../store/store.js';

/**
 * Which device owns which camera, cached because every batch asks. A device may report events for a camera the hub
 * no longer knows (deleted while the edge was offline) but never for another device's camera.
 */
export class CameraOwners {
  private owners: Map<string, string> | undefined;

  constructor(private readonly store: Store) {}

  invalidate(): void {
    this.owners = undefined;
  }

  async foreignCameras(deviceId: string, cameraIds: string[]): Promise<string[]> {
    if (!this.owners) {
      const cameras = await this.store.listCameras();
      this.owners = new Map(cameras.map((c) => [c.id, c.deviceId]));
    }
    const foreign = new Set<string>();
    for (const id of cameraIds) {
      const owner = this.owners.get(id);
      if (owner !== undefined && owner !== deviceId) foreign.add(id);
    }
    return [...foreign];
  }
}
