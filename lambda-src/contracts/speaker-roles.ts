/**
 * Which speaker of a call is the agent and which the customer: the one home of the rule, for the runtime (call
 * categories, lambda-src/core/categories.ts) and the insights (modules/insights: the Athena views' SQL, the report,
 * the call browser, the sample transcripts). Plain data and one function.
 *
 * Roles are known only for channel-identified (stereo) calls, by {@link CHANNEL_ROLES}. A speaker-label (mono) call
 * has no roles: which voice is the agent's is unknown, so every label there is {@link OTHER_ROLE}.
 */
import type { CallResult } from "./result-schema";

/** Who said it: the agent or the customer. */
export type SpeakerRole = "agent" | "customer";
export const SPEAKER_ROLES: readonly SpeakerRole[] = ["agent", "customer"];

/**
 * Channel label -> role for channel-identified (stereo) recordings. Amazon Connect records the customer on the left
 * channel (`ch_0`) and the agent on the right (`ch_1`); a recorder with another convention changes this map.
 */
export const CHANNEL_ROLES: Readonly<Record<string, SpeakerRole>> = { ch_0: "customer", ch_1: "agent" };
/** Role of a channel not in {@link CHANNEL_ROLES}, and of every speaker label of a mono call. */
export const OTHER_ROLE = "other";

/** Role of a speaker or channel label: by {@link CHANNEL_ROLES} for channel-identified calls, else {@link OTHER_ROLE}. */
export function speakerRole(speakerMode: CallResult["speaker_mode"], label: string): SpeakerRole | typeof OTHER_ROLE {
  return speakerMode === "channel_identification" ? (CHANNEL_ROLES[label] ?? OTHER_ROLE) : OTHER_ROLE;
}
