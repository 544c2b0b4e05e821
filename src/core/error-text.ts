// One way to turn anything thrown into the message shown to a person (pages, workers, CLI).
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
