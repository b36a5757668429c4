/**
 * Decoded boxes before NMS, in struct-of-arrays typed storage so decoding thousands of grid cells
 * allocates nothing per box. Boxes are x1, y1, x2, y2 in model-input pixels.
 */
export class CandidateBoxes {
  count = 0;
  boxes: Float32Array;
  scores: Float32Array;
  classIds: Int32Array;

  constructor(initialCapacity = 256) {
    this.boxes = new Float32Array(initialCapacity * 4);
    this.scores = new Float32Array(initialCapacity);
    this.classIds = new Int32Array(initialCapacity);
  }

  clear(): void {
    this.count = 0;
  }

  push(x1: number, y1: number, x2: number, y2: number, score: number, classId: number): void {
    if (this.count === this.scores.length) this.grow();
    const i = this.count++;
    const b = i * 4;
    this.boxes[b] = x1;
    this.boxes[b + 1] = y1;
    this.boxes[b + 2] = x2;
    this.boxes[b + 3] = y2;
    this.scores[i] = score;
    this.classIds[i] = classId;
  }

  private grow(): void {
    const cap = this.scores.length * 2;
    const boxes = new Float32Array(cap * 4);
    boxes.set(this.boxes);
    const scores = new Float32Array(cap);
    scores.set(this.scores);
    const classIds = new Int32Array(cap);
    classIds.set(this.classIds);
    this.boxes = boxes;
    this.scores = scores;
    this.classIds = classIds;
  }
}
