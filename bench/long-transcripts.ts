/**
 * Transcribe output documents of the longest call Transcribe accepts (4 hours), for `npm run bench`:
 *  - stereo: channel identification; every item is in `results.items` and again under its channel in
 *    `results.channel_labels.channels[].items` (Transcribe's layout), plus `audio_segments`;
 *  - mono: speaker labels on every item, `speaker_labels.segments` with their items, plus `audio_segments`.
 * About 2.5 words per second of speech with punctuation, alternating turns of 4-40 words, deterministic.
 */
import * as fs from "node:fs";

export const LONG_CALL_SECONDS = 4 * 3600;
export const WORDS_PER_SECOND = 2.5;

const VOCABULARY = (
  "the a to and you I it is that for of on my your can we this have be with not so are but what was thank thanks " +
  "please account payment invoice router internet connection contract number customer service today tomorrow week " +
  "month problem issue help check moment sorry understand refund credit charge bill address email phone line " +
  "engineer appointment delivery order cancel upgrade plan price discount offer confirm details name date time " +
  "evening morning again already still really exactly right okay yes no sure great fine perfect anything else"
).split(" ");

export type LongTranscriptKind = "stereo" | "mono";

/** Writes the document to `file` (streamed, so the generator's memory stays small) and returns its size and counts. */
export function writeLongTranscript(file: string, kind: LongTranscriptKind, jobName: string): { bytes: number; words: number; items: number } {
  let seed = kind === "stereo" ? 0x1234567 : 0x7654321;
  const rand = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 4294967296;
  };
  interface Item {
    id: number;
    type: "pronunciation" | "punctuation";
    content: string;
    start?: string;
    end?: string;
    label: string;
  }
  const items: Item[] = [];
  const turns: Array<{ label: string; start: string; end: string; first: number; last: number; text: string[] }> = [];
  let t = 0.4;
  let speaker = 0;
  let words = 0;
  // Words take 0.3 s on average with 0.1 s gaps, turns are separated by 0.5-1.5 s: about 2.5 words per second overall.
  while (t < LONG_CALL_SECONDS - 5) {
    const label = kind === "stereo" ? `ch_${speaker}` : `spk_${speaker}`;
    const n = 4 + Math.floor(rand() * 37);
    const turn = { label, start: t.toFixed(3), end: "", first: items.length, last: 0, text: [] as string[] };
    for (let i = 0; i < n && t < LONG_CALL_SECONDS - 1; i++) {
      const w = VOCABULARY[Math.floor(rand() * VOCABULARY.length)];
      const d = 0.18 + rand() * 0.24;
      items.push({ id: items.length, type: "pronunciation", content: w, start: t.toFixed(3), end: (t + d).toFixed(3), label });
      turn.text.push(w);
      words++;
      t += d + 0.02 + rand() * 0.08;
      if (rand() < 0.09 || i === n - 1) {
        const p = i === n - 1 ? (rand() < 0.3 ? "?" : ".") : ",";
        items.push({ id: items.length, type: "punctuation", content: p, label });
        turn.text[turn.text.length - 1] += p;
      }
    }
    turn.end = t.toFixed(3);
    turn.last = items.length - 1;
    turns.push(turn);
    t += 0.5 + rand();
    speaker = 1 - speaker;
  }

  const fd = fs.openSync(file, "w");
  let bytes = 0;
  const w = (s: string) => {
    bytes += fs.writeSync(fd, s);
  };
  const itemJson = (it: Item, withLabel: boolean) =>
    JSON.stringify({
      id: it.id,
      type: it.type,
      alternatives: [{ confidence: it.type === "punctuation" ? "0.0" : (0.85 + (it.id % 15) / 100).toFixed(3), content: it.content }],
      ...(it.start ? { start_time: it.start, end_time: it.end } : {}),
      ...(withLabel ? (kind === "stereo" ? { channel_label: it.label } : { speaker_label: it.label }) : {}),
    });
  const writeArray = <T>(xs: readonly T[], f: (x: T) => string) => {
    w("[");
    xs.forEach((x, i) => {
      if (i > 0) w(",");
      w(f(x));
    });
    w("]");
  };
  w(`{"jobName":${JSON.stringify(jobName)},"accountId":"123456789012","status":"COMPLETED","results":{`);
  w(`"language_code":"en-US","transcripts":[{"transcript":`);
  w(JSON.stringify(turns.map((x) => x.text.join(" ")).join(" ")));
  w("}],");
  if (kind === "stereo") {
    w(`"channel_labels":{"number_of_channels":2,"channels":[`);
    for (const ch of [0, 1]) {
      if (ch > 0) w(",");
      w(`{"channel_label":"ch_${ch}","items":`);
      writeArray(
        items.filter((it) => it.label === `ch_${ch}`),
        (it) => itemJson(it, true),
      );
      w("}");
    }
    w("]},");
    w(`"items":`);
    writeArray(items, (it) => itemJson(it, false));
  } else {
    w(`"speaker_labels":{"speakers":2,"segments":`);
    writeArray(turns, (x) =>
      JSON.stringify({
        start_time: x.start,
        end_time: x.end,
        speaker_label: x.label,
        items: items
          .slice(x.first, x.last + 1)
          .filter((it) => it.start)
          .map((it) => ({ start_time: it.start, end_time: it.end, speaker_label: it.label })),
      }),
    );
    w("},");
    w(`"items":`);
    writeArray(items, (it) => itemJson(it, true));
  }
  w(`,"audio_segments":`);
  writeArray(turns, (x) =>
    JSON.stringify({
      id: turns.indexOf(x),
      transcript: x.text.join(" "),
      start_time: x.start,
      end_time: x.end,
      [kind === "stereo" ? "channel_label" : "speaker_label"]: x.label,
      items: Array.from({ length: x.last - x.first + 1 }, (_, i) => x.first + i),
    }),
  );
  w("}}");
  fs.closeSync(fd);
  return { bytes, words, items: items.length };
}
