/** `Intl.Segmenter` instances, one per locale and granularity: the categories' words and the sentiment's sentences. */
type Segmenter = { segment(s: string): Iterable<{ segment: string; isWordLike?: boolean }> };
const SegmenterClass = (Intl as unknown as { Segmenter: new (l?: string, o?: { granularity: string }) => Segmenter }).Segmenter;
const segmenters = new Map<string, Segmenter>();

/** One `Intl.Segmenter` per locale and granularity (creating one costs more than segmenting a sentence). */
export function segmenter(locale: string | undefined, granularity: "word" | "sentence"): Segmenter {
  const key = `${locale}/${granularity}`;
  return segmenters.get(key) ?? (segmenters.set(key, new SegmenterClass(locale, { granularity })).get(key) as Segmenter);
}
