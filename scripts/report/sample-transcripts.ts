/**
 * Transcripts for the generated sample (sample.ts), in Amazon Transcribe's output format, so that
 * `npm run report -- --sample --transcripts` reads them through the same parser as the bucket's (core/transcript.ts):
 * a short dialogue per completed call in its tenant's language, the customer telling the summary's story.
 */
import type { CallResult } from "../../lambda-src/contracts/result-schema";
import { transcribeOutputKey } from "../../lambda-src/contracts/storage-layout";
import type { TranscribeOutput, TranscriptItem } from "../../lambda-src/core/transcript";

const LINES: Readonly<Record<string, { hello: string; fallback: string; action: string; bye: string }>> = {
  en: {
    hello: "Thank you for calling, how can I help you today?",
    fallback: "I have a question about my account.",
    action: "I will take care of it:",
    bye: "Thank you, goodbye.",
  },
  de: {
    hello: "Vielen Dank für Ihren Anruf, wie kann ich helfen?",
    fallback: "Ich habe eine Frage zu meinem Konto.",
    action: "Ich kümmere mich darum:",
    bye: "Danke, auf Wiederhören.",
  },
  es: {
    hello: "Gracias por llamar, ¿en qué puedo ayudarle?",
    fallback: "Tengo una pregunta sobre mi cuenta.",
    action: "Me encargo de ello:",
    bye: "Gracias, adiós.",
  },
};

/** Transcribe's items for one utterance: words and their trailing punctuation, with times from `start`. */
function items(text: string, start: number, extra: Partial<TranscriptItem>): { items: TranscriptItem[]; end: number } {
  const out: TranscriptItem[] = [];
  let t = start;
  for (const token of text.split(/\s+/).filter(Boolean)) {
    const m = /^(.*?)([.,:;?!¿]*)$/u.exec(token) as RegExpExecArray;
    const word = m[1] || token;
    out.push({
      type: "pronunciation",
      start_time: t.toFixed(2),
      end_time: (t + 0.4).toFixed(2),
      alternatives: [{ content: word, confidence: "0.99" }],
      ...extra,
    });
    t += 0.45;
    if (m[1] && m[2]) out.push({ type: "punctuation", alternatives: [{ content: m[2], confidence: "0.0" }], ...extra });
  }
  return { items: out, end: t + 0.5 };
}

/** A completed sample call's transcript; the agent and customer take turns as the call's speaker mode labels them. */
export function sampleTranscript(r: CallResult): TranscribeOutput {
  const lines = LINES[(r.language_code ?? "en").slice(0, 2)] ?? LINES.en;
  const channels = r.speaker_mode === "channel_identification";
  // Channel identification: ch_0 is the customer, ch_1 the agent (lambda-src/contracts/speaker-roles.ts CHANNEL_ROLES).
  const agent = channels ? "ch_1" : "spk_0";
  const customer = channels ? "ch_0" : "spk_1";
  const turns: Array<[string, string]> = [
    [agent, lines.hello],
    [customer, r.summary ?? lines.fallback],
    [agent, `${lines.action} ${r.action_items.join(", ") || "-"}.`],
    [customer, lines.bye],
  ];
  let t = 0;
  const all: TranscriptItem[] = [];
  const byLabel = new Map<string, TranscriptItem[]>();
  for (const [label, text] of turns) {
    const u = items(text, t, channels ? {} : { speaker_label: label });
    t = u.end;
    all.push(...u.items);
    byLabel.set(label, [...(byLabel.get(label) ?? []), ...u.items]);
  }
  const text = turns.map(([, s]) => s).join(" ");
  return {
    jobName: r.transcription_job_name ?? undefined,
    results: {
      language_code: r.language_code ?? undefined,
      transcripts: [{ transcript: text }],
      items: all,
      ...(channels
        ? { channel_labels: { number_of_channels: 2, channels: [...byLabel].sort().map(([label, its]) => ({ channel_label: label, items: its })) } }
        : { speaker_labels: { speakers: 2, segments: [] } }),
    },
  };
}

/** The sample's transcripts at their results-bucket keys (`tmp/<tenant>/<job>.json`), completed calls only. */
export function sampleTranscripts(results: readonly CallResult[]): Array<{ key: string; doc: TranscribeOutput }> {
  return results
    .filter((r) => r.status === "COMPLETED" && r.transcription_job_name)
    .map((r) => ({ key: transcribeOutputKey(r.tenant, r.transcription_job_name as string), doc: sampleTranscript(r) }));
}
