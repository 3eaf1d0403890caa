/**
 * Channel count from the first bytes of an audio file (the start handler reads them with a ranged GET of
 * {@link HEADER_BYTES}). Supported: WAV (RIFF/RF64 `fmt ` chunk, including WAVE_FORMAT_EXTENSIBLE), FLAC
 * (STREAMINFO) and MP3 (after an optional ID3v2 tag, the first valid frame header's channel mode). Anything
 * else, or a header that does not parse, gives `undefined` ("unknown": treated like mono).
 */
export const HEADER_BYTES = 65536;

export interface AudioHeaderInfo {
  readonly container: "wav" | "flac" | "mp3";
  readonly channels: number;
  readonly sampleRateHz?: number;
}

function ascii(buf: Uint8Array, offset: number, len: number): string {
  if (offset + len > buf.length) return "";
  let s = "";
  for (let i = 0; i < len; i++) s += String.fromCharCode(buf[offset + i]);
  return s;
}

function u16le(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8);
}
function u32le(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16)) + b[o + 3] * 0x1000000;
}

export function parseWavHeader(b: Uint8Array): AudioHeaderInfo | undefined {
  const riff = ascii(b, 0, 4);
  if ((riff !== "RIFF" && riff !== "RF64" && riff !== "BW64") || ascii(b, 8, 4) !== "WAVE") return undefined;
  let o = 12;
  while (o + 8 <= b.length) {
    const id = ascii(b, o, 4);
    const size = u32le(b, o + 4);
    if (id === "fmt ") {
      if (o + 8 + 16 > b.length || size < 16) return undefined;
      const channels = u16le(b, o + 10);
      const sampleRateHz = u32le(b, o + 12);
      // WAVE_FORMAT_EXTENSIBLE (0xFFFE) keeps nChannels at the same place; the extension only adds a mask.
      return channels > 0 ? { container: "wav", channels, sampleRateHz } : undefined;
    }
    o += 8 + size + (size % 2); // chunks are word-aligned
  }
  return undefined;
}

export function parseFlacHeader(b: Uint8Array): AudioHeaderInfo | undefined {
  let o = 0;
  // An ID3v2 tag in front of FLAC is non-standard but seen in the wild.
  if (ascii(b, 0, 3) === "ID3") o = id3v2Length(b) ?? 0;
  if (ascii(b, o, 4) !== "fLaC") return undefined;
  o += 4;
  // The first metadata block must be STREAMINFO (type 0, 34 bytes).
  if (o + 4 + 34 > b.length) return undefined;
  const type = b[o] & 0x7f;
  const len = (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
  if (type !== 0 || len < 34) return undefined;
  const s = o + 4;
  const sampleRateHz = (b[s + 10] << 12) | (b[s + 11] << 4) | (b[s + 12] >> 4);
  const channels = ((b[s + 12] >> 1) & 0x07) + 1;
  return { container: "flac", channels, sampleRateHz };
}

/** Total length of an ID3v2 tag (header, syncsafe size, optional footer), or undefined when none. */
export function id3v2Length(b: Uint8Array): number | undefined {
  if (ascii(b, 0, 3) !== "ID3" || b.length < 10) return undefined;
  const size = ((b[6] & 0x7f) << 21) | ((b[7] & 0x7f) << 14) | ((b[8] & 0x7f) << 7) | (b[9] & 0x7f);
  const footer = (b[5] & 0x10) !== 0 ? 10 : 0;
  return 10 + size + footer;
}

const MP3_SAMPLE_RATES: Record<number, readonly number[]> = {
  3: [44100, 48000, 32000], // MPEG-1
  2: [22050, 24000, 16000], // MPEG-2
  0: [11025, 12000, 8000], // MPEG-2.5
};

/** Parses a 4-byte MPEG audio frame header at `o`; undefined when it is not a valid one. */
function mp3FrameAt(b: Uint8Array, o: number): { channels: number; sampleRateHz: number } | undefined {
  if (o + 4 > b.length) return undefined;
  if (b[o] !== 0xff || (b[o + 1] & 0xe0) !== 0xe0) return undefined;
  const version = (b[o + 1] >> 3) & 0x03;
  const layer = (b[o + 1] >> 1) & 0x03;
  const bitrateIdx = (b[o + 2] >> 4) & 0x0f;
  const rateIdx = (b[o + 2] >> 2) & 0x03;
  if (version === 1 || layer === 0 || bitrateIdx === 0x0f || rateIdx === 3) return undefined;
  const mode = (b[o + 3] >> 6) & 0x03; // 0 stereo, 1 joint stereo, 2 dual channel, 3 mono
  return { channels: mode === 3 ? 1 : 2, sampleRateHz: MP3_SAMPLE_RATES[version][rateIdx] };
}

export function parseMp3Header(b: Uint8Array): AudioHeaderInfo | undefined {
  const start = id3v2Length(b) ?? 0;
  // Scan a little past the tag for the first frame sync (encoders sometimes pad).
  const end = Math.min(b.length - 4, start + 4096);
  for (let o = start; o <= end; o++) {
    const f = mp3FrameAt(b, o);
    if (f) return { container: "mp3", channels: f.channels, sampleRateHz: f.sampleRateHz };
  }
  return undefined;
}

/** Channel information for a media format, or undefined when unknown / not parsable. */
export function detectAudioHeader(format: string | undefined, b: Uint8Array): AudioHeaderInfo | undefined {
  switch (format) {
    case "wav":
      return parseWavHeader(b);
    case "flac":
      return parseFlacHeader(b);
    case "mp3":
      return parseMp3Header(b);
    default:
      return undefined;
  }
}
