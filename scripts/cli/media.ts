/**
 * What `cci upload` reads from a file's own headers before uploading (music-metadata): its duration and channels,
 * checked against Transcribe's fixed batch quotas (Amazon Transcribe Developer Guide, "Guidelines and quotas":
 * audio file length 4 hours, minimum duration 500 ms, at most 2 channels). Size and format are the start
 * function's rules (lambda-src/core/upload.ts); these are the ones it cannot check without reading the whole file.
 * A file whose header does not tell is not refused ("when readable"): Transcribe decides.
 */

/** Transcribe's batch limit on audio length (14,400 s). */
export const MAX_MEDIA_SECONDS = 4 * 3600;
/** Transcribe's minimum audio duration (500 ms). */
export const MIN_MEDIA_SECONDS = 0.5;
/** Transcribe transcribes one or two channels. */
export const MAX_MEDIA_CHANNELS = 2;

export interface MediaInfo {
  readonly durationSeconds?: number;
  readonly channels?: number;
}

/** Duration and channels from the file's headers; `{}` when they cannot be read. */
export async function readMediaInfo(file: string): Promise<MediaInfo> {
  try {
    // music-metadata is an ES module; a dynamic import loads it from this CommonJS code.
    const mm = await import("music-metadata");
    const meta = await mm.parseFile(file, { duration: true, skipCovers: true });
    const d = meta.format.duration;
    return { durationSeconds: typeof d === "number" && Number.isFinite(d) ? d : undefined, channels: meta.format.numberOfChannels };
  } catch {
    return {};
  }
}

/** The refusal for a readable duration or channel count Transcribe does not take, else undefined. */
export function mediaRefusal(info: MediaInfo): { code: string; message: string } | undefined {
  const d = info.durationSeconds;
  if (d !== undefined && d > MAX_MEDIA_SECONDS) {
    return { code: "TOO_LONG", message: `The audio lasts ${Math.round(d)} s; Transcribe accepts at most ${MAX_MEDIA_SECONDS} s (4 hours)` };
  }
  if (d !== undefined && d < MIN_MEDIA_SECONDS) {
    return { code: "TOO_SHORT", message: `The audio lasts ${d.toFixed(2)} s; Transcribe needs at least ${MIN_MEDIA_SECONDS} s` };
  }
  if (info.channels !== undefined && info.channels > MAX_MEDIA_CHANNELS) {
    return { code: "TOO_MANY_CHANNELS", message: `The audio has ${info.channels} channels; Transcribe takes at most ${MAX_MEDIA_CHANNELS}` };
  }
  return undefined;
}
