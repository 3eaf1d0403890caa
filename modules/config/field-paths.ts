/** The leaf fields of the configuration schema, each with the modes its declaration names (`exercisedBy`). */
import type { z } from "zod";
import { MODE_REGISTRY } from "./fields";

export interface SchemaField {
  /** e.g. `tenants[].languages`, `retention.inputDays`. */
  readonly path: string;
  /** The modes named at the declaration (any wrapper: default, optional, …). */
  readonly modes: readonly string[];
}

/** Every leaf field of `schema` (an array of objects lists itself and its fields). */
export function schemaFields(schema: z.ZodType, prefix = "", inherited: readonly string[] = []): SchemaField[] {
  const modes = [...inherited, ...(MODE_REGISTRY.get(schema)?.modes ?? [])];
  // biome-ignore lint/suspicious/noExplicitAny: zod's internal definition differs per schema kind
  const def = (schema as any)?._zod?.def;
  if (!def) return [{ path: prefix, modes }];
  switch (def.type) {
    case "default":
    case "optional":
    case "nullable":
    case "prefault":
      return schemaFields(def.innerType, prefix, modes);
    case "pipe":
      return schemaFields(def.in, prefix, modes);
    case "object":
      // A section's modes hold for each of its fields.
      return Object.entries<z.ZodType>(def.shape).flatMap(([k, v]) => schemaFields(v, prefix ? `${prefix}.${k}` : k, modes));
    case "array": {
      const inner = schemaFields(def.element, `${prefix}[]`);
      return inner.length === 1 && inner[0].path === `${prefix}[]` ? [{ path: prefix, modes }] : [{ path: prefix, modes }, ...inner];
    }
    default:
      return [{ path: prefix, modes }];
  }
}

/** The leaf field paths a written configuration sets (`tenants[].id` once for any tenant). */
export function pathsSet(value: unknown, prefix = ""): string[] {
  if (Array.isArray(value)) {
    const inner = value.flatMap((v) => (typeof v === "object" && v !== null ? pathsSet(v, `${prefix}[]`) : []));
    return [prefix, ...inner];
  }
  if (typeof value === "object" && value !== null)
    return Object.entries(value).flatMap(([k, v]) => (v === undefined ? [] : pathsSet(v, prefix ? `${prefix}.${k}` : k)));
  return [prefix];
}
