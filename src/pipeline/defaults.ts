/**
 * Every default of the analysis and drawing, in one place; option docs refer here. Units are in the names.
 * Defaults of the user's settings live in settings.ts (DEFAULT_SETTINGS).
 */
export const DEFAULTS = {
  detector: {
    /** Minimum detector score (0..1) for a face. MediaPipe's face detection uses 0.5. */
    minScore: 0.5,
    /** Detections overlapping by more than this IoU are suppressed; MediaPipe uses 0.3. */
    suppressionIou: 0.3,
  },
  tracker: {
    /** Time constant (ms) of the exponential smoothing of each face's label probabilities. */
    scoreTimeConstantMs: 250,
    /** Time constant (ms) of the smoothing of each face's place and keypoints (short: boxes must follow motion). */
    boxTimeConstantMs: 40,
    /** Time constant (ms) of the smoothing of each face's size (longer: the detector jitters it more than heads change it). */
    sizeTimeConstantMs: 150,
    /** A new label is shown only when its smoothed probability beats the shown label's by this much. */
    hysteresis: 0.1,
    /**
     * A face that is not detected stays (at its last place) this long before it is dropped, in ms, and at
     * least until a second analysis in a row misses it (under pressure, analyses come up to 500 ms apart).
     */
    holdMs: 500,
    /** A detection continues a track when their boxes overlap by at least this IoU (the track's box moved by its velocity). */
    minIou: 0.2,
    /**
     * A detection that overlaps no track well enough continues the nearest track that nothing else
     * continued, if its box, where expected, is within this many face sizes (centre to centre, in widths and
     * heights) and of a like size (at most 1.5 times larger or smaller): a face that jumps between two
     * analyses (a cut in the picture, a quick turn) keeps its id and expression instead of starting a new
     * face while its old one is held beside it (a second emoji, seen on the demo's clip at each loop, where
     * faces jumped 0.6 face sizes, IoU 0.13–0.24).
     */
    maxJump: 0.8,
    /** A face's velocity is measured over at least this long, ms (over one frame the detector's jitter would read as motion). */
    velocityWindowMs: 200,
  },
  emoji: {
    /** Probability at which a label's emoji steps up an intensity level (levels split the range from here to 1). */
    intensityFrom: 0.6,
  },
  render: {
    /** Emoji side as a multiple of the face box's larger side. */
    scale: 1.35,
  },
  analysis: {
    /** At most this many faces per frame are analysed, highest detector scores first. */
    maxFaces: 6,
    /**
     * Frames of one stream being analysed at once. With two, the next frame travels to the analyser while
     * the last is analysed, so results come about every camera frame rather than every other one.
     */
    maxInFlight: 2,
    /** An analysis not answered within this time is given up, and the next frame is sent (ms). */
    replyTimeoutMs: 2000,
    /** Results older than this are not drawn any more: the face may have moved on (ms). */
    maxResultAgeMs: 1000,
    /** Between analyses a face's emoji moves on by the face's velocity for at most this long (ms). */
    maxPredictionMs: 300,
    /**
     * The offscreen analyser is closed (detector and model freed) once no stream has been analysed for
     * this long (ms); a call that starts again within it finds it ready, a later one loads it again (~1 s).
     */
    idleCloseMs: 15_000,
  },
  search: {
    /**
     * Time between searches for new faces over the whole frame while part of it changed away from the
     * people known (the page watches, see sceneChange), or a known face is held without a detection, ms:
     * a face that comes is covered within about this plus one analysis (about 100 ms). With 400,
     * `npm run bench`'s room saw its newcomer covered 367–533 ms after it came.
     */
    intervalMs: 300,
    /**
     * Time between searches while most of the picture changes (the camera moves: change then says nothing
     * of where a newcomer is, and the tiles are searched one at a time), ms.
     */
    movingIntervalMs: 600,
    /**
     * Time between searches while nothing changes away from the people known, ms: a search then only
     * refreshes tiles (see tileRefreshMs), or finds a face that came without changing the picture.
     */
    quietIntervalMs: 1500,
    /**
     * Under pressure the time between searches doubles, step by step, up to this (or the interval without
     * pressure, if longer), ms: a person who walks in is still covered within about a second on a busy
     * machine (with 1600, the room's newcomer waited 1.5 s in the end-to-end test beside a spinning process).
     */
    maxIntervalMs: 800,
    /**
     * A search tile's side as a share of the frame's shorter side. The far-range detector finds faces down
     * to about a twelfth of its input (16 of 192 pixels, measured on real group photos), so tiles of two
     * thirds of the height find faces of about 1/18 of it: 40 pixels at 720.
     */
    tileShare: 2 / 3,
    /** Neighbouring tiles overlap by at least this share of a side (a face of the smallest size lies whole in one). */
    minTileOverlap: 0.15,
    /** The far-range detector's input side, pixels (MediaPipe BlazeFace full range: 192 × 192). */
    detectorInputPx: 192,
    /**
     * At a search, the far-range detector looks in at most this many tiles (the close-range one always
     * looks at the whole view): those where something changed since they were last searched, or that
     * were searched longest ago (see SearchScheduler). A search then costs two far-range calls (about
     * 13 ms each here, `npm run bench:search`) rather than six, and a person who walks in is still found
     * at the next search.
     */
    maxTilesPerSearch: 2,
    /** A tile is searched again after this long even if nothing changed in it, ms (a face may turn back without much change). */
    tileRefreshMs: 2000,
    /** Side of the blocks whose mean brightness tells whether a tile changed, view pixels. */
    blockPx: 16,
    /** A block changed when its mean brightness moved by more than this (0..255): far above a camera's noise on a 16 × 16 mean. */
    changeLevel: 10,
    /** A tile changed when at least this many of its blocks did (one odd block is not a person). */
    changedBlocks: 2,
    /**
     * A face found by a search is classified from the search view only when it is at least this tall
     * there, pixels; a smaller one is drawn as neutral until the next follow view classifies it.
     */
    minClassifyPx: 40,
  },
  follow: {
    /** Side of a follow view's cell, pixels: a face fills about half of it, as large as the 48-pixel alignment needs. */
    cellPx: 128,
    /**
     * A cell shows a square of the frame this many times the face's larger side, centred on where the face
     * is expected: room for the face to move half its width before the next analysis.
     */
    cropScale: 2,
    /**
     * Cells per follow view (more faces: more views). The close-range detector runs once over a view,
     * shrunk to its 128-pixel input: in a 2 × 2 mosaic a face is still 32 pixels there, and on real group
     * photos such mosaics found as many faces as single crops; 3 × 3 ones, with faces of 21 pixels, fewer.
     */
    cellsPerView: 4,
  },
  pacing: {
    /**
     * Time between analyses while a face moves or an expression changes (a label switches), ms: every
     * other camera frame at 30 fps, so results are at most about two frames old; the emoji moves on by the
     * face's velocity in between. (Analysing every frame cost about a third more CPU with three faces in
     * `npm run bench`, for results 33 ms old instead of 67.)
     */
    activeIntervalMs: 60,
    /**
     * Time between analyses while the scene is still, ms: a face that comes or goes is noticed within
     * it; the emoji keeps moving by the face's velocity between analyses.
     */
    stillIntervalMs: 250,
    /**
     * Time between analyses that classify the faces, ms, unless an expression changes (then every analysis
     * does): the others only move the faces tracked.
     */
    classifyIntervalMs: 250,
    /** A face moving faster than this, in face widths (or heights) per second, keeps analyses at the active pace. */
    movingFacesPerSecond: 0.5,
    /** A face's speed is measured over at least this long, ms (over one frame the detector's jitter would read as motion). */
    speedWindowMs: 200,
    /**
     * The active pace holds this long after the last change, ms: through a head's turn back, when it slows
     * below movingFacesPerSecond and speeds up again (with 500 ms, the emoji strayed 15–18 % of the face's
     * width there on the bench's moving clip; with 1000, 7–8 %, at the 95th percentile of each second's largest).
     */
    activeHoldMs: 1000,
    /**
     * Under pressure the time between analyses doubles, step by step, up to this, ms: a face that comes
     * is still covered within about half a second on a busy machine.
     */
    maxIntervalMs: 500,
    /** Pressure adds at most one step per this long, ms (one late burst counts once). */
    yieldStepMs: 500,
    /** After this long without pressure, one step is taken back, ms. */
    recoverStepMs: 1500,
  },
  pressure: {
    /** More camera frames than this lost in a second before the page read them (by the camera track's own count). */
    lostFramesPerSecond: 2,
    /** The page's median time on its recent frames above this share of the camera's usual frame interval. */
    frameBudgetShare: 0.5,
    /**
     * An analysis answered this long after it was sent, or later: analyses queue (ms). Two are in flight by
     * design, so one waits for the other: with a search (about 50 ms here) that wait alone came near
     * 250 ms in a room of six faces, and read as pressure on an idle machine.
     */
    lateReplyMs: 400,
    /** Nothing in a stream's first this long is taken as pressure (ms): the analyser loads, artwork is decoded, code compiles. */
    warmUpMs: 2000,
  },
  gestures: {
    /**
     * A stream's faces are read by the face landmarker one at a time, one reading at most this often, ms,
     * while a face stirs (see calmReadIntervalMs). A reading takes about 30 ms here (its mesh model at
     * 192 × 192 on wasm, whatever the crop's size: README, "Gestures"), several times a face's
     * classification: gestures are held for a while, and one face is read often enough at this rate; with
     * three, each is read every 1.2 s. Under pressure it doubles with the analyses' pace
     * (AnalysisPacer.gestureIntervalMs), up to maxReadIntervalMs: of what an analysis does, gestures give
     * way first.
     */
    readIntervalMs: 400,
    maxReadIntervalMs: 1600,
    /**
     * While no face of the stream stirs (no reading in the last attentiveMs came near a gesture: see
     * `stirring` in gestureReader.ts), readings are this far apart, ms: a face at rest costs the
     * landmarker's time once a second instead of two and a half times (one face at 1280×720: CPU added
     * about 1 point over gestures off in the same hour, where it was about 13: README, "Gestures"); a
     * gesture that starts is seen at most this late, and then read every readIntervalMs.
     */
    calmReadIntervalMs: 1000,
    attentiveMs: 3000,
    /** The part of the view read around a face's box, on each side, in box sizes (the landmarker finds the face in it). */
    margin: 0.25,
  },
} as const;
