// Ground truth of `npm run bench:search`, with demo/roomScene.mjs: the faces of @vladmandic/face-api's demo
// group photos that roomScene.mjs does not list (it lists only those its clip shows). Boxes in each photo's
// own pixels, as `node bench/search.mjs --list-faces` measures them: MediaPipe's full-range detector on
// 800-pixel tiles of the full-size photo, neighbours overlapping by half, score ≥ 0.65. That listing finds
// 22 faces in the six photos (scores 0.70–0.94, nothing else above the detector's 0.5), the six of
// roomScene.mjs among them (IoU 0.67–1.00 with its boxes); checked by eye, they are every face the photos
// show. Ids: the photo's name and the face's place among its faces, counted from the left.

/** @type {Readonly<Record<string, ReadonlyArray<{id: string, box: {x: number, y: number, width: number, height: number}}>>>} */
export const OTHER_FACES = Object.freeze({
  'sample1.jpg': [
    { id: 'sample1-1', box: { x: 378, y: 385, width: 206, height: 206 } },
    { id: 'sample1-2', box: { x: 825, y: 450, width: 208, height: 208 } },
    { id: 'sample1-3', box: { x: 1470, y: 250, width: 172, height: 172 } },
  ],
  'sample2.jpg': [
    { id: 'sample2-1', box: { x: 293, y: 171, width: 231, height: 231 } },
    { id: 'sample2-2', box: { x: 901, y: 263, width: 187, height: 187 } },
    { id: 'sample2-3', box: { x: 1433, y: 189, width: 199, height: 200 } },
  ],
  'sample3.jpg': [
    { id: 'sample3-1', box: { x: 554, y: 354, width: 244, height: 244 } },
    { id: 'sample3-3', box: { x: 1479, y: 326, width: 248, height: 248 } },
  ],
  'sample4.jpg': [
    { id: 'sample4-1', box: { x: 259, y: 241, width: 185, height: 185 } },
    { id: 'sample4-2', box: { x: 656, y: 124, width: 166, height: 166 } },
  ],
  'sample5.jpg': [
    { id: 'sample5-1', box: { x: 373, y: 907, width: 254, height: 254 } },
    { id: 'sample5-2', box: { x: 597, y: 448, width: 217, height: 217 } },
    { id: 'sample5-3', box: { x: 783, y: 136, width: 195, height: 195 } },
    { id: 'sample5-4', box: { x: 1091, y: 239, width: 196, height: 196 } },
  ],
  'sample6.jpg': [
    { id: 'sample6-1', box: { x: 244, y: 515, width: 249, height: 249 } },
    { id: 'sample6-2', box: { x: 615, y: 369, width: 269, height: 269 } },
  ],
});
