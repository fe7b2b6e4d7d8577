/**
 * How an analysis frame travels from the page to the offscreen document. Extension messaging is JSON,
 * where bytes must become text: an RGBA frame is sent as base64 of its RGB bytes (alpha is always 255
 * for camera frames), one pixel per four characters. README ("Frames to the analyser") says why.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/** The base64 alphabet's character codes, by 6-bit value. */
const CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
/** Turns ASCII bytes into a string natively (base64 is ASCII, which windows-1252, "latin1", keeps as is). */
const ascii = new TextDecoder('latin1');

/**
 * Base64 of the RGB bytes of an RGBA buffer (alpha dropped): 4 characters per pixel. The characters are
 * written as bytes and made a string in one native call: building the string up in JavaScript was many
 * times slower, on the page's main thread, for every analysis.
 */
export function encodeRgb(rgba: Uint8Array | Uint8ClampedArray): string {
  if (rgba.length % 4 !== 0) throw new RangeError(`encodeRgb: ${rgba.length} bytes is not a whole number of RGBA pixels`);
  const codes = new Uint8Array(rgba.length);
  for (let i = 0; i < rgba.length; i += 4) {
    const triple = (rgba[i]! << 16) | (rgba[i + 1]! << 8) | rgba[i + 2]!;
    codes[i] = CODES[triple >> 18]!;
    codes[i + 1] = CODES[(triple >> 12) & 63]!;
    codes[i + 2] = CODES[(triple >> 6) & 63]!;
    codes[i + 3] = CODES[triple & 63]!;
  }
  return ascii.decode(codes);
}

/** The RGBA pixels (alpha 255) of `width` × `height` RGB bytes in base64, as encodeRgb wrote them. Throws on bad input. */
export function decodeRgb(text: string, width: number, height: number): Uint8ClampedArray<ArrayBuffer> {
  const pixels = width * height;
  if (!Number.isInteger(pixels) || pixels <= 0 || text.length !== pixels * 4) {
    throw new RangeError(`decodeRgb: ${text.length} characters do not hold ${width}×${height} RGB pixels`);
  }
  const out = new Uint8ClampedArray(pixels * 4);
  for (let p = 0, c = 0; p < pixels; p++, c += 4) {
    const a = DECODE[text.charCodeAt(c)] ?? -1;
    const b = DECODE[text.charCodeAt(c + 1)] ?? -1;
    const d = DECODE[text.charCodeAt(c + 2)] ?? -1;
    const e = DECODE[text.charCodeAt(c + 3)] ?? -1;
    if ((a | b | d | e) < 0) throw new RangeError(`decodeRgb: not base64 at character ${c}`);
    const triple = (a << 18) | (b << 12) | (d << 6) | e;
    out[p * 4] = triple >> 16;
    out[p * 4 + 1] = (triple >> 8) & 255;
    out[p * 4 + 2] = triple & 255;
    out[p * 4 + 3] = 255;
  }
  return out;
}

/** Base64 of any bytes (artwork PNGs), standard alphabet with padding. */
export function bytesToBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += 0x8000) parts.push(String.fromCharCode.apply(null, Array.from(bytes.subarray(i, i + 0x8000))));
  return btoa(parts.join(''));
}

/** The bytes of standard base64; throws a DOMException on anything else. */
export function base64ToBytes(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
