import { joinAnnexB, NAL_TYPE, nalType, splitAnnexB } from './h264-nal.js';

/**
 * Makes every keyframe self-contained: RTSP cameras often send SPS and PPS once (or only in their SDP), but a
 * consumer that joins the feed later starts at a keyframe and needs them right there. The last ones seen are put in
 * front of any keyframe that lacks them.
 */
export class ParameterSets {
  private sps: Buffer | undefined;
  private pps: Buffer | undefined;

  complete(data: Buffer, keyframe: boolean): Buffer {
    const units = splitAnnexB(data);
    let hasSps = false;
    let hasPps = false;
    for (const unit of units) {
      const type = nalType(unit);
      if (type === NAL_TYPE.SPS) {
        this.sps = Buffer.from(unit);
        hasSps = true;
      } else if (type === NAL_TYPE.PPS) {
        this.pps = Buffer.from(unit);
        hasPps = true;
      }
    }
    if (!keyframe || (hasSps && hasPps) || !this.sps || !this.pps) return data;
    return Buffer.concat([joinAnnexB([...(hasSps ? [] : [this.sps]), ...(hasPps ? [] : [this.pps])]), data]);
  }
}
