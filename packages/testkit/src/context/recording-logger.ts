import type { Logger } from "@vaultlink/core/plugin";

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface LogLine {
  level: LogLevel;
  message: string;
  fields?: Record<string, unknown>;
}

/** A Logger that keeps every line so tests can assert on what a provider logged. */
export interface RecordingLogger extends Logger {
  readonly lines: LogLine[];
  /** Lines of one level. */
  at(level: LogLevel): LogLine[];
  clear(): void;
}

export function createRecordingLogger(): RecordingLogger {
  const lines: LogLine[] = [];
  const record =
    (level: LogLevel) =>
    (message: string, fields?: Record<string, unknown>): void => {
      lines.push(fields === undefined ? { level, message } : { level, message, fields });
    };
  return {
    lines,
    debug: record("debug"),
    info: record("info"),
    warn: record("warn"),
    error: record("error"),
    at: (level) => lines.filter((line) => line.level === level),
    clear: () => {
      lines.length = 0;
    },
  };
}
