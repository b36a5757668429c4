"""The plain Python OpenCV-DNN loop Sightline is compared with: decode, letterbox, forward, YOLOX decode, NMS.

Usage: python3 opencv_dnn_baseline.py MODEL.onnx VIDEO [MAX_FRAMES]
Prints one JSON line: frames, seconds, fps, detections. Debian's python3-opencv provides cv2.
"""
import json
import sys
import time

import cv2
import numpy as np

SIZE = 416
STRIDES = (8, 16, 32)


def grids():
    cells, strides = [], []
    for s in STRIDES:
        g = SIZE // s
        ys, xs = np.meshgrid(np.arange(g), np.arange(g), indexing="ij")
        cells.append(np.stack([xs.ravel(), ys.ravel()], axis=1))
        strides.append(np.full((g * g, 1), s))
    return np.concatenate(cells).astype(np.float32), np.concatenate(strides).astype(np.float32)


def main():
    model, video = sys.argv[1], sys.argv[2]
    max_frames = int(sys.argv[3]) if len(sys.argv) > 3 else 10**9
    net = cv2.dnn.readNetFromONNX(model)
    cells, strides = grids()
    cap = cv2.VideoCapture(video)
    frames = detections = 0
    start = time.perf_counter()
    while frames < max_frames:
        ok, img = cap.read()
        if not ok:
            break
        h, w = img.shape[:2]
        r = min(SIZE / h, SIZE / w)
        padded = np.full((SIZE, SIZE, 3), 114, dtype=np.uint8)
        padded[: int(h * r), : int(w * r)] = cv2.resize(img, (int(w * r), int(h * r)), interpolation=cv2.INTER_LINEAR)
        blob = cv2.dnn.blobFromImage(padded)  # BGR, 0-255, NCHW: what YOLOX expects
        net.setInput(blob)
        out = net.forward()[0]
        xy = (out[:, :2] + cells) * strides
        wh = np.exp(out[:, 2:4]) * strides
        scores = out[:, 4:5] * out[:, 5:]
        cls = scores.argmax(1)
        conf = scores.max(1)
        keep = conf > 0.3
        boxes = np.concatenate([xy[keep] - wh[keep] / 2, wh[keep]], axis=1) / r
        # Class-aware NMS with OpenCV 4.6 (no NMSBoxesBatched): shift each class's boxes far apart.
        shifted = boxes.copy()
        shifted[:, :2] += cls[keep, None] * 4096
        idx = cv2.dnn.NMSBoxes(shifted.tolist(), conf[keep].tolist(), 0.3, 0.45) if keep.any() else []
        detections += len(idx)
        frames += 1
    seconds = time.perf_counter() - start
    print(json.dumps({"frames": frames, "seconds": seconds, "fps": frames / seconds, "detections": detections, "opencv": cv2.__version__}))


if __name__ == "__main__":
    main()
