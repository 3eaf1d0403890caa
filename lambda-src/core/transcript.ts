/**
 * Amazon Transcribe batch output JSON: location of the file, text, speaker / channel statistics and a
 * speaker-labelled rendering for the summary prompt.
 */

export interface TranscriptItem {
  readonly start_time?: string;
  readonly end_time?: string;
  readonly type?: string; // "pronunciation" | "punctuation"
  readonly speaker_label?: string;
  readonly channel_label?: string;
  readonly alternatives?: ReadonlyArray<{ readonly content?: string; readonly confidence?: string }>;
}

export interface TranscribeOutput {
  readonly jobName?: string;
  readonly results?: {
    readonly language_code?: string;
    readonly transcripts?: ReadonlyArray<{ readonly transcript?: string }>;
    readonly items?: readonly TranscriptItem[];
    readonly speaker_labels?: {
      readonly speakers?: number;
      readonly segments?: ReadonlyArray<{
        readonly start_time?: string;
        readonly end_time?: string;
        readonly speaker_label?: string;
        readonly items?: ReadonlyArray<{ readonly start_time?: string; readonly speaker_label?: string }>;
      }>;
    };
    readonly channel_labels?: {
      readonly number_of_channels?: number;
      readonly channels?: ReadonlyArray<{ readonly channel_label?: string; readonly items?: readonly TranscriptItem[] }>;
    };
    readonly audio_segments?: ReadonlyArray<{
      readonly start_time?: string;
      readonly end_time?: string;
      readonly speaker_label?: string;
      readonly channel_label?: string;
      readonly transcript?: string;
    }>;
  };
}

export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

/**
 * Bucket and key of a transcript file URI: `s3://bucket/key`, path-style
 * `https://s3.<region>.amazonaws.com/bucket/key` (also `s3-<region>` and the global `s3.amazonaws.com`) or
 * virtual-hosted `https://bucket.s3.<region>.amazonaws.com/key`. The key is percent-decoded.
 */
export function parseS3Uri(uri: string): S3Location | undefined {
  const decode = (k: string) => {
    try {
      return decodeURIComponent(k);
    } catch {
      return k;
    }
  };
  const s3 = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (s3) return { bucket: s3[1], key: s3[2] };
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return undefined;
  const host = url.hostname;
  const path = url.pathname.replace(/^\//, "");
  // Virtual-hosted: <bucket>.s3[.-]<region>.amazonaws.com[.cn] or <bucket>.s3.amazonaws.com
  const vh = /^(.+)\.s3(?:[.-][a-z0-9-]+)?(?:\.dualstack\.[a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?$/.exec(host);
  if (vh && !/^s3([.-]|$)/.test(host)) {
    return path ? { bucket: vh[1], key: decode(path) } : undefined;
  }
  // Path-style: s3.amazonaws.com, s3.<region>.amazonaws.com, s3-<region>.amazonaws.com
  if (/^s3(?:[.-][a-z0-9-]+)?(?:\.dualstack\.[a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?$/.test(host)) {
    const slash = path.indexOf("/");
    if (slash <= 0 || slash === path.length - 1) return undefined;
    return { bucket: path.slice(0, slash), key: decode(path.slice(slash + 1)) };
  }
  return undefined;
}

export type SpeakerMode = "speaker_labels" | "channel_identification";

export interface LabelStats {
  readonly label: string;
  readonly talkTimeSeconds: number;
  readonly wordCount: number;
  readonly text: string;
}

export interface TranscriptAnalysis {
  readonly text: string;
  readonly durationSeconds: number | null;
  readonly speakerMode: SpeakerMode | null;
  readonly speakers: readonly LabelStats[];
  /** `spk_0: ...` lines, one per turn (plain text when there are no labels). */
  readonly labelledText: string;
  readonly languageCode: string | null;
}

const num = (s: string | undefined): number | undefined => {
  if (s === undefined) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
};

const round = (n: number) => Math.round(n * 1000) / 1000;

interface Token {
  readonly label: string | undefined;
  readonly content: string;
  readonly punctuation: boolean;
  readonly start: number | undefined;
  readonly end: number | undefined;
}

function tokensOf(items: readonly TranscriptItem[], labelOf: (it: TranscriptItem, prev: string | undefined) => string | undefined): Token[] {
  const out: Token[] = [];
  let prev: string | undefined;
  for (const it of items) {
    const content = it.alternatives?.[0]?.content ?? "";
    const punctuation = it.type === "punctuation";
    const label = punctuation ? (it.speaker_label ?? it.channel_label ?? prev) : labelOf(it, prev);
    out.push({ label, content, punctuation, start: num(it.start_time), end: num(it.end_time) });
    if (!punctuation) prev = label;
  }
  return out;
}

function join(tokens: readonly Token[]): string {
  let s = "";
  for (const t of tokens) {
    if (!t.content) continue;
    s += t.punctuation || s === "" ? t.content : ` ${t.content}`;
  }
  return s;
}

function sortLabels(labels: Iterable<string>): string[] {
  return [...labels].sort((a, b) => {
    const na = Number(a.replace(/^\D+/, "")),
      nb = Number(b.replace(/^\D+/, ""));
    return Number.isFinite(na) && Number.isFinite(nb) && na !== nb ? na - nb : a.localeCompare(b);
  });
}

/** Analyses a Transcribe output document (channel identification wins over speaker labels when both exist). */
export function analyzeTranscript(doc: TranscribeOutput): TranscriptAnalysis {
  const r = doc.results ?? {};
  const text = (r.transcripts ?? [])
    .map((t) => t.transcript ?? "")
    .join(" ")
    .trim();
  const items = r.items ?? [];
  const segs = r.speaker_labels?.segments ?? [];
  const audioSegments = r.audio_segments ?? [];

  let mode: SpeakerMode | null = null;
  let tokens: Token[];
  const channels = r.channel_labels?.channels ?? [];
  if (channels.length > 0) {
    mode = "channel_identification";
    // Merge the channels' items by time; punctuation follows the word before it in its channel.
    const merged: Array<Token & { order: number }> = [];
    for (const ch of channels) {
      let lastStart = 0;
      for (const t of tokensOf(ch.items ?? [], () => ch.channel_label)) {
        if (t.start !== undefined) lastStart = t.start;
        merged.push({ ...t, label: ch.channel_label, order: lastStart });
      }
    }
    tokens = merged
      .map((t, i) => ({ t, i }))
      .sort((a, b) => a.t.order - b.t.order || a.i - b.i)
      .map(({ t }) => t);
  } else {
    const byStart = new Map<string, string>();
    for (const s of segs) for (const it of s.items ?? []) if (it.start_time && it.speaker_label) byStart.set(it.start_time, it.speaker_label);
    const labelled = items.some((i) => i.speaker_label) || byStart.size > 0;
    if (labelled) mode = "speaker_labels";
    tokens = tokensOf(items, (it) => it.speaker_label ?? (it.start_time ? byStart.get(it.start_time) : undefined));
  }

  // Duration: the last end time of any item (or segment).
  let duration: number | undefined;
  const bump = (e: number | undefined) => {
    if (e !== undefined && (duration === undefined || e > duration)) duration = e;
  };
  for (const it of items) bump(num(it.end_time));
  for (const t of tokens) bump(t.end);
  for (const s of audioSegments) bump(num(s.end_time));

  const speakers: LabelStats[] = [];
  if (mode) {
    const labels = new Set<string>();
    for (const t of tokens) if (t.label) labels.add(t.label);
    const talk = new Map<string, number>();
    const add = (l: string | undefined, s: number | undefined, e: number | undefined) => {
      if (!l || s === undefined || e === undefined || e < s) return;
      labels.add(l);
      talk.set(l, (talk.get(l) ?? 0) + (e - s));
    };
    const segLabel = (s: { speaker_label?: string; channel_label?: string }) => (mode === "channel_identification" ? s.channel_label : s.speaker_label);
    const audioSegs = audioSegments.filter((s) => segLabel(s));
    if (audioSegs.length > 0) for (const s of audioSegs) add(segLabel(s), num(s.start_time), num(s.end_time));
    else if (mode === "speaker_labels" && segs.length > 0) for (const s of segs) add(s.speaker_label, num(s.start_time), num(s.end_time));
    else for (const t of tokens) if (!t.punctuation) add(t.label, t.start, t.end);
    for (const label of sortLabels(labels)) {
      const mine = tokens.filter((t) => t.label === label);
      speakers.push({
        label,
        talkTimeSeconds: round(talk.get(label) ?? 0),
        wordCount: mine.filter((t) => !t.punctuation && t.content).length,
        text: join(mine),
      });
    }
  }

  // Speaker-labelled rendering: consecutive tokens of one label form a turn.
  let labelledText = text;
  if (mode && tokens.length > 0) {
    const lines: string[] = [];
    let cur: Token[] = [];
    let curLabel: string | undefined;
    const flush = () => {
      const s = join(cur);
      if (s) lines.push(`${curLabel ?? "unknown"}: ${s}`);
      cur = [];
    };
    for (const t of tokens) {
      if (!t.punctuation && t.label !== curLabel) {
        flush();
        curLabel = t.label;
      }
      cur.push(t);
    }
    flush();
    labelledText = lines.join("\n");
  }

  return {
    text,
    durationSeconds: duration === undefined ? null : round(duration),
    speakerMode: mode,
    speakers,
    labelledText,
    languageCode: r.language_code ?? null,
  };
}
